import { type TObject, type TSchema, Type } from 'typebox'
import { ProductCouponEntity, StockEntity, UserProductCouponEntity } from './entities.ts'
import { UserProductCouponState } from './enums.ts'
import { AppId, BrandId, CouponCode, Id40, OpenId, Rfc3339 } from './fields.ts'

/**
 * The sandbox's own controls (not part of WeChat Pay), as one table like the WeChat
 * operations: method, path, schemas in and out. The server registers its routes from it, the
 * admin client's methods and the OpenAPI document come from it. JSON in and out, guarded by
 * `Authorization: Bearer <admin_token>`.
 */

export const SANDBOX_PREFIX = '/sandbox'

export type SandboxMethod = 'GET' | 'POST' | 'DELETE'

export interface ControlSpec {
  readonly method: SandboxMethod
  /** Below /sandbox, path parameters as `{name}`. */
  readonly path: string
  readonly params?: TObject
  readonly query?: TObject
  /** POST bodies; a control without parameters takes `{}` or no body at all. */
  readonly body?: TSchema
  readonly response: TSchema
  /** The admin client's method. */
  readonly client: string
  readonly summary: string
}

const Mchid = Type.String({ minLength: 1, maxLength: 32, pattern: '^[0-9]+$' })
const Empty = Type.Object({})
const Reason = Type.Object({
  reason: Type.Optional(Type.String({ minLength: 1, maxLength: 150 })),
})

/** A partner's platform key mode (docs/trust-and-https.md). */
export const KeyMode = Type.Enum(['public_key', 'certificate', 'transition'])

const KeyOptions = {
  /** A request whose Wechatpay-Serial names no key of the partner: 400 (true) or ignored (default). */
  strict_serial: Type.Optional(Type.Boolean()),
  /** transition: the share of callbacks signed with the public key, 0–100 (default 50). */
  callback_public_key_percent: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
}

/** A new partner's platform keys; every member optional (key_mode default public_key). */
export const KeySettings = Type.Object({ key_mode: Type.Optional(KeyMode), ...KeyOptions })

/** A mode switch; the options left out keep their values. */
export const KeyModeChange = Type.Object({ key_mode: KeyMode, ...KeyOptions })

/** A platform certificate as partner creation and the mode switch list it. */
const CertificatePem = Type.Object({ serial_no: Type.String(), certificate_pem: Type.String() })

/** The public side of a partner's platform keys: what its clients must trust. */
const PartnerKeysFields = {
  key_mode: KeyMode,
  strict_serial: Type.Boolean(),
  callback_public_key_percent: Type.Number(),
  platform_public_key_id: Type.String(),
  platform_public_key_pem: Type.String(),
  /** Certificate and transition modes: the listed certificates. */
  platform_certificates: Type.Optional(Type.Array(CertificatePem)),
}

export const PartnerKeysView = Type.Object({ mchid: Type.String(), ...PartnerKeysFields })

/** A new partner: its key mode, and the API revision it is validated and answered by. */
export const NewPartnerBody = Type.Object({
  ...KeySettings.properties,
  revision: Type.Optional(Type.Enum(['2025-08', '2025-11'])),
})

export const NewPartner = Type.Object({
  mchid: Type.String(),
  revision: Type.Enum(['2025-08', '2025-11']),
  serial_no: Type.String(),
  private_key_pem: Type.String(),
  apiv3_key: Type.String(),
  ...PartnerKeysFields,
})

export const PlatformCertificateView = Type.Object({
  serial_no: Type.String(),
  certificate_pem: Type.String(),
  effective_time: Type.String(),
  expire_time: Type.String(),
  /** When it starts signing answers that name no certificate. */
  signing_time: Type.String(),
  /** PENDING (listed, not signing yet), ACTIVE, EXPIRED or REVOKED, on the sandbox clock. */
  state: Type.Enum(['PENDING', 'ACTIVE', 'EXPIRED', 'REVOKED']),
  /** The one that signs answers and callbacks that name no certificate. */
  signing: Type.Boolean(),
})

const CertificateParams = Type.Object({
  mchid: Mchid,
  serial_no: Type.String({ minLength: 40, maxLength: 40, pattern: '^[0-9A-F]{40}$' }),
})

/** A brand's own credentials for /brand/… (docs/brand-mode.md); the private key is not kept. */
export const BrandDirectCredentials = Type.Object({
  brand_id: Type.String(),
  /** The brand API certificate's serial: `serial_no` of the brand Authorization. */
  serial_no: Type.String(),
  private_key_pem: Type.String(),
  /** The brand API key: decrypts the brand's callbacks. */
  api_key: Type.String(),
  /** `PUB_KEY_ID_…`: every brand request's Wechatpay-Serial. */
  public_key_id: Type.String(),
  /** Verifies the brand's answers and callbacks. */
  public_key_pem: Type.String(),
})

const PartnerView = Type.Object({ mchid: Type.String(), serial_nos: Type.Array(Type.String()) })
const BrandView = Type.Object({
  brand_id: Type.String(),
  partner_mchids: Type.Array(Type.String()),
})
const AppIdView = Type.Object({
  appid: Type.String(),
  mchid: Type.Optional(Type.String()),
  brand_id: Type.Optional(Type.String()),
})

/**
 * Two errors of the catalogue (ErrorName SYSTEM_ERROR and RATELIMIT_EXCEEDED, checked against
 * it at compile time in server/traffic/faults.ts), or a delay.
 */
export const FaultMode = Type.Enum(['SYSTEM_ERROR', 'RATELIMIT_EXCEEDED', 'DELAY'])

export const FaultBody = Type.Object({
  /** An operation name of the table, or `*`; checked against the table by the server. */
  operation: Type.String({ minLength: 1, maxLength: 40, pattern: '^([a-z_]+|\\*)$' }),
  mode: FaultMode,
  count: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  probability: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  delay_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000 })),
})

export const FaultView = Type.Object({
  fault_id: Type.String(),
  operation: Type.String(),
  mode: FaultMode,
  count: Type.Optional(Type.Integer()),
  probability: Type.Optional(Type.Number()),
  delay_ms: Type.Optional(Type.Integer()),
  hits: Type.Integer(),
})
const FaultList = Type.Object({ faults: Type.Array(FaultView) })

export const FAULTY_KINDS = [
  'signature_probe',
  'tampered_signature',
  'stale_timestamp',
  'wrong_serial',
  'duplicate',
] as const

const NotificationId = Type.Object({
  id: Type.String({ minLength: 36, maxLength: 36, pattern: '^[0-9a-f-]+$' }),
})

const AttemptView = Type.Object({
  attempt_no: Type.Integer(),
  kind: Type.String(),
  at: Type.String(),
  latency_ms: Type.Number(),
  status: Type.Optional(Type.Integer()),
  error: Type.Optional(Type.String()),
})

export const NotificationView = Type.Object({
  id: Type.String(),
  mchid: Type.String(),
  event_type: Type.String(),
  create_time: Type.String(),
  state: Type.Enum(['PENDING', 'DELIVERED', 'FAILED']),
  scheduled_attempts: Type.Integer(),
  next_attempt_time: Type.String(),
  /** The decrypted resource, as the receiver gets it after decryption. */
  plaintext: Type.Unknown(),
  attempts: Type.Array(AttemptView),
})

/** What one delivery attempt made from a control gave. */
const AttemptOutcome = Type.Object({
  attemptNo: Type.Integer(),
  kind: Type.String(),
  status: Type.Optional(Type.Integer()),
  latencyMs: Type.Number(),
  error: Type.Optional(Type.String()),
})

const Clock = Type.Object({ now: Type.String() })

const Digits = (max: number) => Type.String({ pattern: `^[0-9]{1,${max}}$` })
const Strings = Type.Record(Type.String(), Type.String())

/** One answered /v3/ request, as the request journal keeps it. */
export const JournalEntry = Type.Object({
  /** The Request-ID header the client got. */
  request_id: Type.String(),
  /** Order of recording across every instance: `after` and `before` page by it. */
  seq: Type.Integer(),
  time: Type.String(),
  sandbox_time: Type.String(),
  method: Type.String(),
  /** The request-target as received (path and query). */
  url: Type.String(),
  operation: Type.Optional(Type.String()),
  /** The verified partner, or the one a failed signature named when it exists. */
  mchid: Type.Optional(Type.String()),
  status: Type.Integer(),
  code: Type.Optional(Type.String()),
  duration_ms: Type.Number(),
  stock_id: Type.Optional(Type.String()),
  coupon_code: Type.Optional(Type.String()),
  out_request_no: Type.Optional(Type.String()),
  /** The coupon's state in the answer. */
  coupon_state: Type.Optional(Type.String()),
  verification: Type.Object({
    result: Type.Enum(['verified', 'failed', 'not_checked']),
    message: Type.Optional(Type.String()),
    issue: Type.Optional(Type.String()),
    /** The string the server checked the signature against, when verification failed. */
    signed_message: Type.Optional(Type.String()),
  }),
  request: Type.Object({
    headers: Strings,
    body: Type.String(),
    body_truncated: Type.Optional(Type.Boolean()),
  }),
  response: Type.Object({
    headers: Strings,
    body: Type.String(),
    body_truncated: Type.Optional(Type.Boolean()),
  }),
})

const StockWithBudget = Type.Object({
  stock: StockEntity,
  /** Coupons received per slot of sandbox time, for the budget chart. */
  issued: Type.Object({
    total: Type.Integer(),
    bucket_seconds: Type.Integer(),
    points: Type.Array(Type.Object({ start: Type.String(), count: Type.Integer() })),
  }),
})
const HUNDRED_YEARS = 100 * 365 * 86_400

export const SANDBOX_CONTROLS = {
  create_partner: {
    method: 'POST',
    path: '/partners',
    body: NewPartnerBody,
    response: NewPartner,
    client: 'createPartner',
    summary:
      'a new partner (`key_mode` public_key, certificate or transition; `revision` 2025-08 or 2025-11, default the `revision` setting); its private key is handed out once and not kept',
  },
  set_key_mode: {
    method: 'POST',
    path: '/partners/{mchid}/key-mode',
    params: Type.Object({ mchid: Mchid }),
    body: KeyModeChange,
    response: PartnerKeysView,
    client: 'setKeyMode',
    summary:
      "switch a partner's key mode (a certificate is issued at once if it needs one and has none)",
  },
  add_platform_certificate: {
    method: 'POST',
    path: '/partners/{mchid}/platform-certificates',
    params: Type.Object({ mchid: Mchid }),
    body: Type.Object({
      activate_after_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: HUNDRED_YEARS })),
    }),
    response: PlatformCertificateView,
    client: 'addPlatformCertificate',
    summary:
      'a new platform certificate: listed at once, signing after `activate_after_seconds` of sandbox time (default 86400)',
  },
  list_platform_certificates: {
    method: 'GET',
    path: '/partners/{mchid}/platform-certificates',
    params: Type.Object({ mchid: Mchid }),
    response: Type.Object({ certificates: Type.Array(PlatformCertificateView) }),
    client: 'listPlatformCertificates',
    summary: 'every platform certificate of the partner, with its state (no private keys)',
  },
  expire_platform_certificate: {
    method: 'POST',
    path: '/partners/{mchid}/platform-certificates/{serial_no}/expire',
    params: CertificateParams,
    body: Type.Object({
      after_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: HUNDRED_YEARS })),
    }),
    response: PlatformCertificateView,
    client: 'expirePlatformCertificate',
    summary:
      'announce its expiry: its expire_time becomes now + `after_seconds` (default 0: at once)',
  },
  revoke_platform_certificate: {
    method: 'POST',
    path: '/partners/{mchid}/platform-certificates/{serial_no}/revoke',
    params: CertificateParams,
    body: Empty,
    response: PlatformCertificateView,
    client: 'revokePlatformCertificate',
    summary: 'revoke it: no longer listed, never signs again',
  },
  list_partners: {
    method: 'GET',
    path: '/partners',
    response: Type.Array(PartnerView),
    client: 'listPartners',
    summary: 'the partners (no secrets)',
  },
  create_brand: {
    method: 'POST',
    path: '/brands',
    body: Type.Object({ partner_mchids: Type.Array(Mchid, { maxItems: 100 }) }),
    response: Type.Object({ brand_id: Type.String() }),
    client: 'createBrand',
    summary: 'a brand authorised to those partners',
  },
  create_store: {
    method: 'POST',
    path: '/stores',
    body: Type.Object({ brand_id: BrandId, open: Type.Optional(Type.Boolean()) }),
    response: Type.Object({ store_id: Type.String() }),
    client: 'createStore',
    summary:
      'a store of a brand, open (default) or closed, for `store_id` at use and bundle store association (2025-11)',
  },
  claim_pre_send_token: {
    method: 'POST',
    path: '/pre-send-tokens/{token}/claim',
    params: Type.Object({
      token: Type.String({ minLength: 1, maxLength: 128, pattern: '^[0-9A-Za-z_-]+$' }),
    }),
    body: Empty,
    response: Type.Unknown(),
    client: 'claimPreSendToken',
    summary:
      'the user claims a pre-send token in the mini program (2025-11): the user coupon entity, or for a bundle token `{user_coupon_bundle_id, user_product_coupon_list}`; expired (5 minutes) or claimed: 400',
  },
  list_brands: {
    method: 'GET',
    path: '/brands',
    response: Type.Array(BrandView),
    client: 'listBrands',
    summary: 'the brands and the partners each authorised',
  },
  authorize_brand: {
    method: 'POST',
    path: '/brands/{brand_id}/partners',
    params: Type.Object({ brand_id: BrandId }),
    body: Type.Object({ mchid: Mchid }),
    response: Type.Object({ brand_id: Type.String(), mchid: Type.String() }),
    client: 'authorizeBrand',
    summary: 'authorise one more partner for the brand',
  },
  create_brand_direct_credentials: {
    method: 'POST',
    path: '/brands/{brand_id}/direct-credentials',
    params: Type.Object({ brand_id: BrandId }),
    body: Type.Object({ revision: Type.Optional(Type.Enum(['2025-08', '2025-11'])) }),
    response: BrandDirectCredentials,
    client: 'createBrandDirectCredentials',
    summary:
      'brand-direct mode (/brand/…): the brand API key pair, brand API key and WeChat Pay public key of a brand (`revision` 2025-08 or 2025-11, default the `revision` setting); once (409 after)',
  },
  revoke_brand: {
    method: 'DELETE',
    path: '/brands/{brand_id}/partners/{mchid}',
    params: Type.Object({ brand_id: BrandId, mchid: Mchid }),
    response: Type.Object({
      brand_id: Type.String(),
      mchid: Type.String(),
      revoked: Type.Literal(true),
    }),
    client: 'revokeBrand',
    summary: 'revoke it (403 NO_AUTH afterwards)',
  },
  create_appid: {
    method: 'POST',
    path: '/appids',
    body: Type.Union([Type.Object({ mchid: Mchid }), Type.Object({ brand_id: BrandId })]),
    response: Type.Object({ appid: Type.String() }),
    client: 'createAppId',
    summary: 'a partner AppID (`mchid`) or a brand AppID (`brand_id`)',
  },
  list_appids: {
    method: 'GET',
    path: '/appids',
    response: Type.Array(AppIdView),
    client: 'listAppIds',
    summary: 'the AppIDs and what each is bound to',
  },
  unbind_appid: {
    method: 'DELETE',
    path: '/appids/{appid}',
    params: Type.Object({ appid: AppId }),
    response: Type.Object({ appid: Type.String(), unbound: Type.Literal(true) }),
    client: 'unbindAppId',
    summary: 'unbind it (400 AppID非法 afterwards)',
  },
  create_openid: {
    method: 'POST',
    path: '/openids',
    body: Type.Object({ appid: AppId }),
    response: Type.Object({ openid: Type.String() }),
    client: 'createOpenId',
    summary: 'a user under that AppID',
  },
  approve_product_coupon: {
    method: 'POST',
    path: '/product-coupons/{product_coupon_id}/approve',
    params: Type.Object({ product_coupon_id: Id40 }),
    body: Empty,
    response: ProductCouponEntity,
    client: 'approveProductCoupon',
    summary: 'review passes (approval `manual`)',
  },
  reject_product_coupon: {
    method: 'POST',
    path: '/product-coupons/{product_coupon_id}/reject',
    params: Type.Object({ product_coupon_id: Id40 }),
    body: Reason,
    response: ProductCouponEntity,
    client: 'rejectProductCoupon',
    summary: 'review fails (→ DEACTIVATED with the reason)',
  },
  approve_stock: stockMove('approve', 'approveStock', 'review passes (→ SENDING)'),
  reject_stock: stockMove('reject', 'rejectStock', 'review fails (→ DEACTIVATED)'),
  pause_stock: stockMove('pause', 'pauseStock', 'SENDING → PAUSED'),
  resume_stock: stockMove('resume', 'resumeStock', 'PAUSED → SENDING'),
  delete_user_coupon: {
    method: 'POST',
    path: '/users/{openid}/coupons/{coupon_code}/delete',
    params: Type.Object({ openid: OpenId, coupon_code: CouponCode }),
    body: Type.Object({ stock_id: Id40 }),
    response: UserProductCouponEntity,
    client: 'deleteUserCoupon',
    summary: 'the user deletes it in the wallet (→ DELETED)',
  },
  issue_coupon: {
    method: 'POST',
    path: '/coupons/issue',
    body: Type.Object({
      product_coupon_id: Id40,
      stock_id: Id40,
      appid: AppId,
      openid: OpenId,
      send_channel: Type.Enum(['BRAND_MANAGE', 'MERCHANT_CARD', 'MEMBER']),
      channel_custom_info: Type.Optional(Type.String({ maxLength: 1000 })),
    }),
    response: UserProductCouponEntity,
    client: 'issueCoupon',
    summary: 'issue through another channel (→ CONFIRMING, with its callback)',
  },
  add_fault: {
    method: 'POST',
    path: '/faults',
    body: FaultBody,
    response: FaultView,
    client: 'addFault',
    summary:
      'the next `count` (or a `probability` share of) calls of `operation` fail before changing anything, or are delayed',
  },
  list_faults: {
    method: 'GET',
    path: '/faults',
    response: FaultList,
    client: 'listFaults',
    summary: 'the faults in force',
  },
  remove_fault: {
    method: 'DELETE',
    path: '/faults/{fault_id}',
    params: Type.Object({ fault_id: Type.String({ pattern: '^F[0-9]{1,9}$' }) }),
    response: FaultList,
    client: 'removeFault',
    summary: 'remove one fault; answers the faults still in force',
  },
  clear_faults: {
    method: 'DELETE',
    path: '/faults',
    response: FaultList,
    client: 'clearFaults',
    summary: 'remove every fault',
  },
  list_notifications: {
    method: 'GET',
    path: '/notifications',
    query: Type.Object({
      mchid: Type.Optional(Type.String({ maxLength: 32, pattern: '^[0-9]+$' })),
      state: Type.Optional(Type.Enum(['PENDING', 'DELIVERED', 'FAILED'])),
      limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' })),
    }),
    response: Type.Object({ notifications: Type.Array(NotificationView) }),
    client: 'listNotifications',
    summary: 'callbacks, newest first, with plaintext and every attempt',
  },
  redeliver_notification: {
    method: 'POST',
    path: '/notifications/{id}/redeliver',
    params: NotificationId,
    body: Empty,
    response: AttemptOutcome,
    client: 'redeliverNotification',
    summary: 'deliver it again now',
  },
  faulty_notification: {
    method: 'POST',
    path: '/notifications/{id}/faulty',
    params: NotificationId,
    body: Type.Object({ kind: Type.Enum([...FAULTY_KINDS]) }),
    response: Type.Object({ attempts: Type.Array(AttemptOutcome) }),
    client: 'deliverFaultyNotification',
    summary:
      "a delivery a careful receiver must refuse (or dedupe), to test the receiver's defences",
  },
  reset: {
    method: 'POST',
    path: '/reset',
    body: Type.Object({
      /** Also bring the sandbox clock back to real time. */
      clock: Type.Optional(Type.Boolean()),
    }),
    response: Type.Object({ reset: Type.Literal(true), clock: Type.Optional(Type.String()) }),
    client: 'reset',
    summary:
      'wipe coupons, stocks, product coupons, codes, request numbers and the request journal; tenants stay; `clock: true` brings the clock back to real time',
  },
  list_requests: {
    method: 'GET',
    path: '/requests',
    query: Type.Object({
      mchid: Type.Optional(Type.String({ maxLength: 32, pattern: '^[0-9]+$' })),
      /** One status (`401`) or a class (`4xx`). */
      status: Type.Optional(Type.String({ pattern: '^[1-5]([0-9]{2}|xx)$' })),
      operation: Type.Optional(Type.String({ maxLength: 40, pattern: '^[a-z_]+$' })),
      coupon_code: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
      stock_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
      request_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
      after: Type.Optional(Digits(15)),
      before: Type.Optional(Digits(15)),
      limit: Type.Optional(Digits(3)),
    }),
    response: Type.Object({ data: Type.Array(JournalEntry) }),
    client: 'listRequests',
    summary:
      'the request journal: every /v3/ request answered, newest first (`after`/`before` page by `seq`; limit 1–500, default 100)',
  },
  list_product_coupons: {
    method: 'GET',
    path: '/product-coupons',
    query: Type.Object({
      mchid: Type.Optional(Type.String({ maxLength: 32, pattern: '^[0-9]+$' })),
      limit: Type.Optional(Digits(3)),
    }),
    response: Type.Object({
      data: Type.Array(
        Type.Object({ product_coupon: ProductCouponEntity, stocks: Type.Array(StockEntity) }),
      ),
    }),
    client: 'listProductCoupons',
    summary: 'product coupons of every tenant with their stocks, newest first',
  },
  get_stock_budget: {
    method: 'GET',
    path: '/stocks/{stock_id}/budget',
    params: Type.Object({ stock_id: Id40 }),
    response: StockWithBudget,
    client: 'getStockBudget',
    summary: 'a stock and how its budget was used over sandbox time',
  },
  list_coupons: {
    method: 'GET',
    path: '/coupons',
    query: Type.Object({
      stock_id: Type.Optional(Id40),
      openid: Type.Optional(OpenId),
      coupon_code: Type.Optional(CouponCode),
      state: Type.Optional(UserProductCouponState),
      before: Type.Optional(Digits(15)),
      limit: Type.Optional(Digits(3)),
    }),
    response: Type.Object({
      data: Type.Array(Type.Object({ seq: Type.Integer(), coupon: UserProductCouponEntity })),
    }),
    client: 'listCoupons',
    summary:
      'user coupons of every tenant, newest first, by stock, user, code and state (as the clock makes it)',
  },
  get_clock: {
    method: 'GET',
    path: '/clock',
    response: Clock,
    client: 'getClock',
    summary: 'the sandbox clock',
  },
  set_clock: {
    method: 'POST',
    path: '/clock',
    body: Type.Union([
      Type.Object({
        advance_seconds: Type.Integer({ minimum: -HUNDRED_YEARS, maximum: HUNDRED_YEARS }),
      }),
      Type.Object({ now: Rfc3339 }),
    ]),
    response: Clock,
    client: 'setClock',
    summary: '`advance_seconds` or `now`; backwards is a 400',
  },
} as const satisfies Record<string, ControlSpec>

/** `client` stays a literal type, so the admin client's method names are known. */
function stockMove<C extends string>(move: string, client: C, summary: string) {
  return {
    method: 'POST',
    path: `/stocks/{stock_id}/${move}`,
    params: Type.Object({ stock_id: Id40 }),
    body: Reason,
    response: StockEntity,
    client,
    summary,
  } as const
}

export type SandboxControls = typeof SANDBOX_CONTROLS
export type ControlName = keyof SandboxControls
export const CONTROL_NAMES = Object.keys(SANDBOX_CONTROLS) as ControlName[]
