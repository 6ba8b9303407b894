import type { ApiOperationName } from '@wxcoupon/sdk/schemas'
import type { Store } from '../../store/store.ts'
import type { Fault, FaultSpec } from './faults.ts'

/**
 * What the WeChat API and the sandbox controls need of a fault registry: the in-memory
 * FaultRegistry of a lone process, or SharedFaultRegistry when several processes serve one
 * database (cluster workers, PostgreSQL instances).
 */
export interface Faults {
  add(spec: FaultSpec): Fault | Promise<Fault>
  list(): Fault[] | Promise<Fault[]>
  clear(): void | Promise<void>
  /** Whether the fault was in force. */
  remove(faultId: string): boolean | Promise<boolean>
  draw(operation: ApiOperationName): Fault | undefined | Promise<Fault | undefined>
}

const KEY = 'sandbox_faults'

interface State {
  next: number
  faults: Fault[]
}

function parse(raw: string | undefined): State {
  return raw ? (JSON.parse(raw) as State) : { next: 1, faults: [] }
}

const matches = (f: Fault, operation: ApiOperationName) =>
  f.operation === '*' || f.operation === operation

/**
 * The faults in the database, so that a fault set through one process affects the calls every
 * process answers, and "the next N calls" means N in all, not N per process. A call reads them
 * once (no fault for its operation: no write); drawing one is a transaction under a named lock,
 * so two processes never both take the last hit of a count.
 */
export class SharedFaultRegistry implements Faults {
  readonly #store: Store
  readonly #random: () => number

  constructor(store: Store, random: () => number = Math.random) {
    this.#store = store
    this.#random = random
  }

  add(spec: FaultSpec): Promise<Fault> {
    return this.#update((s) => {
      const fault: Fault = { ...spec, fault_id: `F${s.next++}`, hits: 0 }
      s.faults.push(fault)
      return { ...fault }
    })
  }

  async list(): Promise<Fault[]> {
    return parse(await this.#store.read.getMeta(KEY)).faults
  }

  async clear(): Promise<void> {
    await this.#update((s) => {
      s.faults = []
    })
  }

  remove(faultId: string): Promise<boolean> {
    return this.#update((s) => {
      const before = s.faults.length
      s.faults = s.faults.filter((f) => f.fault_id !== faultId)
      return s.faults.length < before
    })
  }

  /** A fresh start, as a new process has: no faults, ids from F1. */
  async reset(): Promise<void> {
    await this.#update((s) => {
      s.faults = []
      s.next = 1
    })
  }

  async draw(operation: ApiOperationName): Promise<Fault | undefined> {
    const current = parse(await this.#store.read.getMeta(KEY))
    if (!current.faults.some((f) => matches(f, operation))) return undefined
    // The same rule as FaultRegistry.draw, on the state read under the lock.
    return this.#update((s) => {
      for (const f of s.faults) {
        if (!matches(f, operation)) continue
        if (f.count !== undefined) {
          if (f.hits >= f.count) continue
        } else if (this.#random() >= (f.probability ?? 1)) {
          continue
        }
        f.hits++
        s.faults = s.faults.filter((x) => x.count === undefined || x.hits < x.count)
        return { ...f }
      }
      return undefined
    })
  }

  #update<T>(change: (s: State) => T): Promise<T> {
    return this.#store.transaction(async (tx) => {
      await tx.lockNamed('wxcoupon-faults')
      const raw = await tx.getMeta(KEY)
      const state = parse(raw)
      const result = change(state)
      const next = JSON.stringify(state)
      if (next !== raw) await tx.setMeta(KEY, next)
      return result
    })
  }
}
