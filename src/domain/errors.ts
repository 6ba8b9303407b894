import type { SignInformation } from '@wxcoupon/sdk/protocol'

/**
 * The one error catalogue. Every error any layer returns to a client is an entry here:
 * HTTP status, WeChat `code`, WeChat `message`, and the numeric code WeChat appends to the
 * Request-ID of a failed call (spec apiv3-protocol.md §5). Entries marked `inferred` have no
 * documented numeric code; the value is ours and stays stable.
 */
export interface CatalogueEntry {
  readonly status: number
  readonly code: string
  readonly message: string
  readonly numeric: number
  readonly inferred?: true
}

function entry(
  status: number,
  code: string,
  message: string,
  numeric: number,
  inferred?: true,
): CatalogueEntry {
  return inferred
    ? { status, code, message, numeric, inferred }
    : { status, code, message, numeric }
}

export const ERRORS = {
  // Field format: missing, wrong type, length, pattern, enum, RFC 3339.
  PARAM_ERROR: entry(400, 'PARAM_ERROR', '参数错误', 268578224),
  // Body is not one well-formed JSON object (syntax, duplicate keys, depth, unsafe numbers).
  PARAM_INVALID_JSON: entry(400, 'PARAM_ERROR', '入参不合法', 268578101),
  // The HTTP request breaks APIv3 transport rules (Content-Type, size).
  INVALID_HTTP_REQUEST: entry(
    400,
    'INVALID_REQUEST',
    'HTTP 请求不符合微信支付 APIv3 接口规则',
    268435461,
    true,
  ),
  BUSINESS_RULE: entry(400, 'INVALID_REQUEST', '传入参数不符合业务规则', 268435464, true),
  APPID_INVALID: entry(400, 'INVALID_REQUEST', 'AppID非法', 268578704),
  OPENID_INVALID: entry(400, 'INVALID_REQUEST', '解析OpenID错误', 268578526),
  REQUEST_NO_CONFLICT: entry(
    400,
    'INVALID_REQUEST',
    '使用了相同单号，但与上次请求的数据不一致',
    268578927,
  ),
  ALREADY_EXISTS: entry(
    400,
    'ALREADY_EXISTS',
    '使用了相同单号，但与上次请求的数据不一致',
    268578927,
  ),
  COUPON_STATE_INVALID: entry(400, 'INVALID_REQUEST', '用户券状态非法', 268578367),
  COUPON_EXPIRED: entry(400, 'INVALID_REQUEST', '用户券已过期', 268578776),
  COUPON_DELETED: entry(400, 'INVALID_REQUEST', '券已被删除', 272756769),
  COUPON_USED_BY_OTHER_ORDER: entry(400, 'INVALID_REQUEST', '券已被其他订单核销', 272756745),
  COUPON_NOT_IN_VALID_PERIOD: entry(
    400,
    'INVALID_REQUEST',
    '券不在使用有效期（绝对批次有效期）',
    272755715,
  ),
  COUPON_NOT_IN_USAGE_WINDOW: entry(
    400,
    'INVALID_REQUEST',
    '券不在使用有效期（规则周期）',
    272755717,
  ),
  SEQUENTIAL_INDEX_INVALID: entry(400, 'INVALID_REQUEST', '多次优惠索引不合法', 268435464, true),
  SEQUENTIAL_ROUND_NOT_AVAILABLE: entry(
    400,
    'INVALID_REQUEST',
    '未到下次可用时间',
    272755715,
    true,
  ),
  STOCK_NOT_SENDING: entry(400, 'INVALID_REQUEST', '商品券批次状态不是发放中', 268577984),
  STOCK_NOT_IN_SEND_PERIOD: entry(
    400,
    'INVALID_REQUEST',
    '当前时间不在批次可发放时间内',
    268577984,
    true,
  ),
  STOCK_BUDGET_EXHAUSTED: entry(400, 'INVALID_REQUEST', '批次已发放完', 272756740, true),
  STOCK_DAILY_BUDGET_EXHAUSTED: entry(400, 'INVALID_REQUEST', '批次今日已发放完', 272756740, true),
  USER_LIMIT_REACHED: entry(400, 'INVALID_REQUEST', '用户领取券张数已达上限', 272756740),
  UPLOAD_CODES_EXHAUSTED: entry(400, 'INVALID_REQUEST', '批次可用券Code不足', 268435464, true),
  COUPON_CODE_EXISTS: entry(400, 'INVALID_REQUEST', '券Code已存在', 268435464, true),
  PRODUCT_COUPON_STATE_INVALID: entry(400, 'INVALID_REQUEST', '商品券状态非法', 268578367, true),
  STOCK_STATE_INVALID: entry(400, 'INVALID_REQUEST', '批次状态非法', 268578367, true),
  TOO_MANY_STOCKS: entry(400, 'INVALID_REQUEST', '商品券批次数量已达上限', 268435464, true),
  BUDGET_CURRENT_MISMATCH: entry(
    400,
    'INVALID_REQUEST',
    '当前预算与批次实际预算不一致',
    268435464,
    true,
  ),
  BUDGET_BELOW_SENT: entry(400, 'INVALID_REQUEST', '目标预算不能小于已发放数量', 268435464, true),
  NO_AUTH: entry(403, 'NO_AUTH', '缺少业务相关权限', 268579803),
  NOT_FOUND_PRODUCT_COUPON: entry(
    404,
    'NOT_FOUND',
    '未找到 product_coupon_id 对应的商品券',
    268578608,
  ),
  NOT_FOUND_STOCK: entry(404, 'NOT_FOUND', '未找到 stock_id 对应的商品券批次', 268578608),
  NOT_FOUND_USER_COUPON: entry(404, 'NOT_FOUND', '未找到 coupon_code 对应的用户商品券', 268578608),
  NOTIFY_CONFIG_NOT_FOUND: entry(404, 'NOT_FOUND', '未设置商品券事件通知地址', 268578608, true),
  NOT_FOUND_ROUTE: entry(404, 'NOT_FOUND', '请求的资源不存在', 268578608, true),
  // The 401s, in the order they are checked (server/authenticate.ts).
  SIGN_ERROR_FORMAT: entry(
    401,
    'SIGN_ERROR',
    'Http头Authorization值格式错误，请参考《微信支付商户REST API签名规则》',
    269546525,
  ),
  SIGN_ERROR_SCHEME: entry(401, 'SIGN_ERROR', 'Http头Authorization认证类型不正确', 269546525, true),
  SIGN_ERROR_TIMESTAMP: entry(
    401,
    'SIGN_ERROR',
    'Http头Authorization中的timestamp与发起请求的时间不得超过5分钟',
    269546525,
  ),
  SIGN_ERROR_MCHID: entry(401, 'SIGN_ERROR', '商户号不存在或未开通APIv3', 269546525, true),
  // Brand scheme: a brand_id without brand-direct credentials.
  SIGN_ERROR_BRAND: entry(401, 'SIGN_ERROR', '品牌ID不存在或未开通品牌API', 269546525, true),
  SIGN_ERROR_SERIAL: entry(401, 'SIGN_ERROR', '商户证书序列号有误。', 269546525),
  // Carries detail.sign_information: what the server signed, to compare with the client's.
  SIGN_ERROR_SIGNATURE: entry(401, 'SIGN_ERROR', '错误的签名，验签失败', 269546525),
  // A Wechatpay-Serial naming no platform key of the partner (when the partner is strict).
  PLATFORM_SERIAL_INVALID: entry(
    400,
    'PARAM_ERROR',
    '平台证书序列号Wechatpay-Serial错误',
    268435461,
    true,
  ),
  // GET /v3/certificates of a partner in public-key mode: the message WeChat Pay gives today.
  CERTIFICATES_NOT_AVAILABLE: entry(
    404,
    'RESOURCE_NOT_EXISTS',
    '无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥。可查看指引https://pay.weixin.qq.com/doc/v3/merchant/4012153196',
    268578608,
    true,
  ),
  // Brand-direct mode (/brand/…): the Wechatpay-Serial every request must carry, naming the
  // brand's WeChat Pay public key; checked after the signature.
  BRAND_SERIAL_MISSING: entry(
    400,
    'INVALID_REQUEST',
    'Http头缺少Wechatpay-Serial',
    268435461,
    true,
  ),
  BRAND_SERIAL_FORMAT: entry(400, 'INVALID_REQUEST', 'Wechatpay-Serial 格式错误', 268435461, true),
  BRAND_SERIAL_MISMATCH: entry(
    400,
    'INVALID_REQUEST',
    'Wechatpay-Serial 与 brand_id 不匹配',
    268435461,
    true,
  ),
  // A brand_id in a brand call's body or query that is not the brand that signed it.
  BRAND_ID_MISMATCH: entry(400, 'INVALID_REQUEST', 'brand_id 与签名的品牌不一致', 268435464, true),
  // The 2025-11 revision (PROGRESSIVE_BUNDLE, stores, pre-send).
  BUNDLE_RETURN_NOT_LATEST: entry(
    400,
    'INVALID_REQUEST',
    '只有券组内最近一张已核销的券可以退回',
    268578367,
    true,
  ),
  BUNDLE_TIERS_NOT_PROGRESSIVE: entry(
    400,
    'INVALID_REQUEST',
    '非递减优惠每一轮的优惠力度应大于等于前一轮',
    268586067,
  ),
  STORE_INVALID: entry(400, 'INVALID_REQUEST', '核销门店非法', 268584404),
  // A per-store outcome of (dis)associate-stores, inside a 200 answer.
  STORE_NOT_OF_BRAND: entry(400, 'INVALID_REQUEST', '门店不存在或不属于该品牌', 268584404, true),
  STORE_SCOPE_ALL: entry(400, 'INVALID_REQUEST', '当前券批次全部门店可用', 268578813),
  STORE_SCOPE_NONE: entry(400, 'INVALID_REQUEST', '当前券批次不限门店', 268578813, true),
  USE_BUNDLE_API: entry(400, 'INVALID_REQUEST', '批次组内的批次请使用批次组接口', 268435464, true),
  SEND_USE_BUNDLE_API: entry(
    400,
    'INVALID_REQUEST',
    '多次优惠批次请使用向用户发放商品券批次组接口',
    268435464,
    true,
  ),
  DEACTIVATE_USE_BUNDLE_API: entry(
    400,
    'INVALID_REQUEST',
    '多次优惠券请使用失效用户商品券组接口',
    268435464,
    true,
  ),
  ADD_STOCK_USE_BUNDLE_API: entry(
    400,
    'INVALID_REQUEST',
    '多次优惠商品券请使用添加商品券批次组接口',
    268435464,
    true,
  ),
  NOT_PROGRESSIVE_BUNDLE: entry(
    400,
    'INVALID_REQUEST',
    '商品券使用模式不是多次优惠',
    268435464,
    true,
  ),
  NOT_FOUND_STOCK_BUNDLE: entry(404, 'NOT_FOUND', '未找到 stock_bundle_id 对应的批次组', 268578608),
  NOT_FOUND_USER_COUPON_BUNDLE: entry(
    404,
    'NOT_FOUND',
    '未找到 user_coupon_bundle_id 对应的用户券组',
    268578608,
  ),
  RATELIMIT_EXCEEDED: entry(429, 'RATELIMIT_EXCEEDED', '请求超过接口频率限制', 270924289),
  SYSTEM_ERROR: entry(500, 'SYSTEM_ERROR', '系统异常，请稍后重试', 268435455, true),
  // Sandbox controls (not part of WeChat Pay) use the same envelope.
  SANDBOX_UNAUTHORIZED: entry(
    401,
    'UNAUTHORIZED',
    'sandbox controls need Authorization: Bearer <admin_token>',
    990000401,
    true,
  ),
  SANDBOX_CLOCK_BACKWARDS: entry(
    400,
    'INVALID_REQUEST',
    'the sandbox clock only moves forward',
    990000400,
    true,
  ),
  SANDBOX_NOT_FOUND: entry(404, 'NOT_FOUND', 'no such sandbox object', 990000404, true),
  SANDBOX_CONFLICT: entry(409, 'CONFLICT', 'it exists already', 990000409, true),
  SANDBOX_TOKEN_EXPIRED: entry(
    400,
    'INVALID_REQUEST',
    'the pre-send token has expired (5 minutes on the sandbox clock)',
    990000400,
    true,
  ),
  SANDBOX_TOKEN_CLAIMED: entry(
    400,
    'INVALID_REQUEST',
    'the pre-send token was already claimed',
    990000400,
    true,
  ),
} as const satisfies Record<string, CatalogueEntry>

export type ErrorName = keyof typeof ERRORS

/** Optional structured detail (spec §5.1); `field` is a JSON Pointer for body fields. */
export interface ErrorDetail {
  field?: string
  value?: unknown
  issue?: string
  location?: 'body' | 'query' | 'path' | 'header' | 'authorization'
  /** SIGN_ERROR on the signature: the detail takes the real service's nested shape. */
  signInformation?: SignInformation
}

/** An error a client is meant to see. Anything else becomes SYSTEM_ERROR at the edge. */
export class WxError extends Error {
  override readonly name = 'WxError'
  readonly entry: CatalogueEntry
  readonly errorName: ErrorName
  readonly detail: ErrorDetail | undefined

  constructor(errorName: ErrorName, detail?: ErrorDetail) {
    const e = ERRORS[errorName]
    super(e.message)
    this.errorName = errorName
    this.entry = e
    this.detail = detail
  }
}

export function wxError(errorName: ErrorName, detail?: ErrorDetail): WxError {
  return new WxError(errorName, detail)
}

export function isWxError(e: unknown): e is WxError {
  return e instanceof WxError
}
