import assert from 'node:assert/strict'
import { Cmd } from './commands-base.ts'
import {
  count,
  couponPath,
  expectFailure,
  expectReplay,
  fingerprint,
  pick,
  type Real,
  type World,
} from './real-system.ts'
import * as M from './reference.ts'

/**
 * Commands that reuse an earlier request number (protocol §8): with the same data it is a
 * replay, with anything else a conflict.
 */

/** Replays an earlier successful request byte for byte (`returns`: only returns). */
export class Replay extends Cmd {
  readonly recordIdx: number
  readonly returnsOnly: boolean
  constructor(recordIdx: number, returnsOnly: boolean) {
    super()
    this.recordIdx = recordIdx
    this.returnsOnly = returnsOnly
  }
  records(m: Readonly<World>) {
    return this.returnsOnly ? m.records.filter((r) => r.op === 'return') : m.records
  }
  check = (m: Readonly<World>) => this.records(m).length > 0
  toString = () => `replay(${this.returnsOnly ? 'return ' : ''}request ${this.recordIdx})`
  async exec(w: World, real: Real) {
    const record = pick(this.records(w), this.recordIdx)
    if (!record) throw new Error('check() lets this run only with records')
    const r = await real.s.call('POST', record.path, record.body)
    count(`replay ${record.op}`, expectReplay(w, r, record))
  }
}

/** An earlier request's number with other data: a different coupon, index, order or reason. */
export class Conflict extends Cmd {
  readonly recordIdx: number
  readonly couponIdx: number
  constructor(recordIdx: number, couponIdx: number) {
    super()
    this.recordIdx = recordIdx
    this.couponIdx = couponIdx
  }
  variant(m: Readonly<World>) {
    const record = pick(m.records, this.recordIdx)
    if (!record) return undefined
    const other = pick(m.coupons, this.couponIdx)
    const elsewhere = other && other.code !== record.code ? other : undefined
    const b = record.body
    switch (record.op) {
      case 'send':
        return { record, path: record.path, body: { ...b, attach: 'other data' } }
      case 'use':
        return {
          record,
          path: record.path,
          body: { ...b, associated_order_info: { transaction_id: '4299999999999999999999' } },
        }
      case 'deactivate':
        return { record, path: record.path, body: { ...b, deactivate_reason: '另一个原因' } }
      default:
        if (elsewhere) return { record, path: couponPath(elsewhere, record.op), body: b, elsewhere }
        if (record.op === 'return' && typeof b.sequential_coupon_index === 'number') {
          const body = { ...b, sequential_coupon_index: b.sequential_coupon_index + 1 }
          return { record, path: record.path, body }
        }
        return undefined
    }
  }
  check = (m: Readonly<World>) => this.variant(m) !== undefined
  toString = () => `conflict(request ${this.recordIdx}, coupon ${this.couponIdx})`
  async exec(w: World, real: Real) {
    const v = this.variant(w)
    if (!v) throw new Error('check() lets this run only with a variant')
    const target = v.elsewhere ?? v.record
    const fp = fingerprint(target.openid, v.record.op === 'send' ? undefined : target.code, v.body)
    assert.equal(M.seen(w, v.record.op, v.record.requestNo, fp).kind, 'conflict')
    const r = await real.s.call('POST', v.path, v.body)
    count(`conflict ${v.record.op}`, 'REQUEST_NO_CONFLICT')
    expectFailure(r, 'REQUEST_NO_CONFLICT')
  }
}
