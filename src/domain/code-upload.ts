import type { UploadCouponCodesResponse } from '@wxcoupon/sdk/schemas'
import { ERRORS, wxError } from './errors.ts'
import type { Stock } from './product-coupon.ts'
import { stockStateAt } from './stock.ts'

/**
 * Uploading codes to an UPLOAD stock's pool. Every code is judged on its own: malformed ones
 * land in failed_code_list, repeats within the request in duplicate_code_list, codes already
 * in the pool in already_exist_code_list; the rest are added.
 */

const CODE_PATTERN = /^[0-9A-Za-z_-]{1,40}$/
const INVALID_CODE = '券Code须为1-40位数字、大小写字母、_ 或 -'

/** Only an UPLOAD stock that can still send takes codes. */
export function checkCodeUpload(stock: Stock, now: number): void {
  if (stock.config.coupon_code_mode !== 'UPLOAD') {
    throw wxError('BUSINESS_RULE', { issue: 'coupon_code_mode is not UPLOAD', location: 'body' })
  }
  const state = stockStateAt(stock, now)
  if (state === 'DEACTIVATED' || state === 'STOPPED') {
    throw wxError('STOCK_STATE_INVALID', { issue: `stock is ${state}` })
  }
}

export interface SortedCodes {
  /** Distinct codes in the request. */
  total: number
  /** Well-formed distinct codes, in request order: what the pool is offered. */
  candidates: string[]
  failed: { coupon_code: string; code: string; message: string }[]
  duplicates: string[]
}

export function sortUploadedCodes(codes: readonly string[]): SortedCodes {
  const seen = new Set<string>()
  const duplicates = new Set<string>()
  const failed: SortedCodes['failed'] = []
  const candidates: string[] = []
  for (const code of codes) {
    if (seen.has(code)) {
      duplicates.add(code)
      continue
    }
    seen.add(code)
    if (CODE_PATTERN.test(code)) candidates.push(code)
    else failed.push({ coupon_code: code, code: ERRORS.PARAM_ERROR.code, message: INVALID_CODE })
  }
  return { total: seen.size, candidates, failed, duplicates: [...duplicates] }
}

/** The answer once the pool took `added` of the candidates (the others were there already). */
export function uploadOutcome(sorted: SortedCodes, added: string[]): UploadCouponCodesResponse {
  const addedSet = new Set(added)
  return {
    total_count: sorted.total,
    success_code_list: added,
    failed_code_list: sorted.failed,
    already_exist_code_list: sorted.candidates.filter((c) => !addedSet.has(c)),
    duplicate_code_list: sorted.duplicates,
  }
}

/** The stock's code counts after `added` new codes. */
export function withUploadedCodes(stock: Stock, added: number): Stock {
  const count = stock.codeCount ?? { total: 0, available: 0 }
  return {
    ...stock,
    codeCount: { total: count.total + added, available: count.available + added },
  }
}
