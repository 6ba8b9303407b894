import { after, before, describe, test } from 'node:test'
import type { Store } from '../store.ts'

/** One test of the contract; it gets the part's store, opened and migrated. */
export type ContractTest = (title: string, fn: (store: Store) => Promise<void>) => void

export interface ContractTarget {
  name: string
  /** A fresh, empty store; each part of the contract gets one of its own. */
  open: () => Promise<Store>
  /** Test title → the reason it is skipped on this store. */
  skipped: ReadonlyMap<string, string>
}

/** A part of the contract (records, outbox, …) on its own store: its tests run in order. */
export function contractPart(
  target: ContractTarget,
  part: string,
  body: (it: ContractTest) => void,
): void {
  describe(`store contract: ${target.name}: ${part}`, () => {
    let store: Store | undefined
    before(async () => {
      store = await target.open()
      await store.migrate()
    })
    after(() => store?.close())
    body((title, fn) => {
      const run = () => {
        if (!store) throw new Error('the store did not open')
        return fn(store)
      }
      const reason = target.skipped.get(title)
      if (reason) test(title, { skip: reason }, run)
      else test(title, run)
    })
  })
}

/** Resolves once `until` does or `ms` have passed, whichever is first; leaves no timer behind. */
export function holdUntil(until: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    const done = () => {
      clearTimeout(timer)
      resolve()
    }
    void until.then(done, done)
  })
}

/** A promise and the function that resolves it. */
export function signal(): { promise: Promise<void>; fire: () => void } {
  let fire = () => {}
  const promise = new Promise<void>((r) => {
    fire = r
  })
  return { promise, fire }
}
