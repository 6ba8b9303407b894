import fc from 'fast-check'
import { type TSchema, Type } from 'typebox'
import { AUTH_SCHEME } from '../../../packages/sdk/src/protocol/authorization.ts'
import { AppId, BrandId, Id40, OpenId, Rfc3339 } from '../../../packages/sdk/src/schemas/fields.ts'
import { FAULTY_KINDS } from '../../../packages/sdk/src/schemas/sandbox.ts'
import { trimOws } from './oracles.ts'
import type { JsonObject, Targets } from './types.ts'
import { latin1String } from './values.ts'

/**
 * (5) The sandbox admin routes with mirrors of their body schemas, and bearer tokens that are
 * almost the admin token: the controls that could reset or rewrite the whole sandbox.
 */

const Mchid = Type.String({ minLength: 1, maxLength: 32, pattern: '^[0-9]+$' })
const Reason = Type.Object({ reason: Type.Optional(Type.String({ minLength: 1, maxLength: 150 })) })

interface AdminRoute {
  method: 'GET' | 'POST' | 'DELETE'
  path: string
  /** Mirrors of sandbox-api.ts's body schemas; a drift shows up as a 2xx and a state change. */
  schema?: TSchema
  template?: JsonObject
}

const NO_NOTIFICATION = 'ffffffff-ffff-ffff-ffff-ffffffffffff'

export function adminRoutes(t: Targets): AdminRoute[] {
  const stock = t.pc.stock_id
  return [
    { method: 'POST', path: '/sandbox/partners' },
    {
      method: 'POST',
      path: '/sandbox/brands',
      schema: Type.Object({ partner_mchids: Type.Array(Mchid, { maxItems: 100 }) }),
      template: { partner_mchids: [t.mchid] },
    },
    {
      method: 'POST',
      path: `/sandbox/brands/${t.brandId}/partners`,
      schema: Type.Object({ mchid: Mchid }),
      template: { mchid: t.mchid },
    },
    {
      method: 'POST',
      path: '/sandbox/appids',
      schema: Type.Union([Type.Object({ mchid: Mchid }), Type.Object({ brand_id: BrandId })]),
      template: { mchid: t.mchid },
    },
    {
      method: 'POST',
      path: '/sandbox/openids',
      schema: Type.Object({ appid: AppId }),
      template: { appid: t.appid },
    },
    { method: 'POST', path: `/sandbox/product-coupons/${t.pc.product_coupon_id}/approve` },
    {
      method: 'POST',
      path: `/sandbox/product-coupons/${t.pc.product_coupon_id}/reject`,
      schema: Reason,
      template: { reason: 'fuzz' },
    },
    ...['approve', 'reject', 'pause', 'resume'].map((m) => ({
      method: 'POST' as const,
      path: `/sandbox/stocks/${stock}/${m}`,
      schema: Reason,
      template: { reason: 'fuzz' },
    })),
    {
      method: 'POST',
      path: `/sandbox/users/${t.openid}/coupons/${t.effective.coupon_code}/delete`,
      schema: Type.Object({ stock_id: Id40 }),
      template: { stock_id: t.effective.stock_id },
    },
    {
      method: 'POST',
      path: '/sandbox/coupons/issue',
      schema: Type.Object({
        product_coupon_id: Id40,
        stock_id: Id40,
        appid: AppId,
        openid: OpenId,
        send_channel: Type.Enum(['BRAND_MANAGE', 'MERCHANT_CARD', 'MEMBER']),
        channel_custom_info: Type.Optional(Type.String({ maxLength: 1000 })),
      }),
      template: { ...t.pc, appid: t.appid, openid: t.openid, send_channel: 'BRAND_MANAGE' },
    },
    {
      method: 'POST',
      path: '/sandbox/faults',
      schema: Type.Object({
        operation: Type.String({ minLength: 1, maxLength: 40, pattern: '^([a-z_]+|\\*)$' }),
        mode: Type.Enum(['SYSTEM_ERROR', 'RATELIMIT_EXCEEDED', 'DELAY']),
      }),
      template: { operation: 'send', mode: 'SYSTEM_ERROR', count: 1 },
    },
    { method: 'POST', path: '/sandbox/reset' },
    {
      method: 'POST',
      path: '/sandbox/clock',
      schema: Type.Union([
        Type.Object({
          advance_seconds: Type.Integer({
            minimum: -(100 * 365 * 86_400),
            maximum: 100 * 365 * 86_400,
          }),
        }),
        Type.Object({ now: Rfc3339 }),
      ]),
      template: { advance_seconds: 86_400 },
    },
    { method: 'POST', path: `/sandbox/notifications/${NO_NOTIFICATION}/redeliver` },
    {
      method: 'POST',
      path: `/sandbox/notifications/${NO_NOTIFICATION}/faulty`,
      schema: Type.Object({ kind: Type.Enum([...FAULTY_KINDS]) }),
      template: { kind: FAULTY_KINDS[0] },
    },
    ...['partners', 'brands', 'appids', 'faults', 'clock', 'notifications'].map((p) => ({
      method: 'GET' as const,
      path: `/sandbox/${p}`,
    })),
    // Only ids that do not exist: with the right token these would really revoke or unbind.
    { method: 'DELETE', path: '/sandbox/brands/FZNOBRAND/partners/9999999999999' },
    { method: 'DELETE', path: '/sandbox/appids/FZNOAPPID' },
    { method: 'DELETE', path: '/sandbox/faults' },
  ]
}

export function badBearer(token: string): fc.Arbitrary<string | undefined> {
  return fc
    .oneof(
      { weight: 1, arbitrary: fc.constant(undefined) },
      {
        weight: 4,
        arbitrary: fc.constantFrom(
          '',
          'Bearer',
          'Bearer ',
          `bearer ${token}`,
          `BEARER ${token}`,
          `Basic ${token}`,
          token,
          `Bearer  ${token}`,
          `Bearer\t${token}`,
          `Bearer ${token} ${token}`,
          `Bearer "${token}"`,
          `Bearer ${token},`,
          `Bearer ${token}x`,
          `Bearer x${token}`,
          `Bearer ${token.toUpperCase()}`,
          `Bearer ${token.toLowerCase()}`,
          `Bearer ${token.slice(0, -1)}`,
          `Bearer ${token.slice(1)}`,
          `${AUTH_SCHEME} ${token}`,
          `Bearer ${Buffer.from(token).toString('base64')}`,
          `Bearer ${'A'.repeat(20_000)}`,
          `Bearer ${token}\u00e9`,
        ),
      },
      {
        weight: 2,
        arbitrary: fc
          .record({ at: fc.nat(), c: fc.constantFrom('0', 'f', 'Z', '-', '%', '\u00ff') })
          .map(({ at, c }) => {
            const i = at % token.length
            return `Bearer ${token.slice(0, i)}${c}${token.slice(i + 1)}`
          }),
      },
      { weight: 1, arbitrary: latin1String(100).map((s) => `Bearer ${s}`) },
      { weight: 1, arbitrary: latin1String(100) },
    )
    .map((v) => (v !== undefined && trimOws(v) === `Bearer ${token}` ? `${v}x` : v))
}
