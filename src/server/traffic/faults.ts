import type { ApiOperationName, FaultMode as FaultModeSchema } from '@wxcoupon/sdk/schemas'
import type { Static } from 'typebox'
import type { ErrorName } from '../../domain/errors.ts'

/**
 * Fault injection (sandbox): the next N calls of an operation — or a share of them — fail with
 * 500 SYSTEM_ERROR or 429 RATELIMIT_EXCEEDED before anything changes, or are delayed. In memory,
 * per server process.
 */
/** An error of the catalogue, or a delay: the sandbox control's modes, each checked here. */
export type FaultMode = Static<typeof FaultModeSchema>
const _modesInCatalogue: Exclude<FaultMode, 'DELAY'> extends ErrorName ? true : false = true
void _modesInCatalogue

export interface FaultSpec {
  /** An operation of the table (e.g. `return`) or `*` for every WeChat API call. */
  operation: ApiOperationName | '*'
  mode: FaultMode
  /** Affect the next `count` matching calls, then retire. */
  count?: number
  /** Or affect each matching call with this probability, until cleared. */
  probability?: number
  delay_ms?: number
}

export interface Fault extends FaultSpec {
  fault_id: string
  /** Calls this fault has affected so far. */
  hits: number
}

export class FaultRegistry {
  #faults: Fault[] = []
  #next = 1
  readonly #random: () => number

  constructor(random: () => number = Math.random) {
    this.#random = random
  }

  add(spec: FaultSpec): Fault {
    const fault: Fault = { ...spec, fault_id: `F${this.#next++}`, hits: 0 }
    this.#faults.push(fault)
    return fault
  }

  list(): Fault[] {
    return this.#faults.map((f) => ({ ...f }))
  }

  clear(): void {
    this.#faults = []
  }

  /** Whether the fault was in force. */
  remove(faultId: string): boolean {
    const before = this.#faults.length
    this.#faults = this.#faults.filter((f) => f.fault_id !== faultId)
    return this.#faults.length < before
  }

  /** The fault that applies to this call, if any; counts it and retires used-up faults. */
  draw(operation: ApiOperationName): Fault | undefined {
    for (const f of this.#faults) {
      if (f.operation !== '*' && f.operation !== operation) continue
      if (f.count !== undefined) {
        if (f.hits >= f.count) continue
      } else if (this.#random() >= (f.probability ?? 1)) {
        continue
      }
      f.hits++
      this.#faults = this.#faults.filter((x) => x.count === undefined || x.hits < x.count)
      return { ...f }
    }
    return undefined
  }
}
