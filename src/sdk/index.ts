/** The package's public entry point (package.json "exports": "."). */

// Protocol helpers, so applications can sign, verify and decrypt in their own tests and callbacks.
export {
  CallbackDecryptError,
  decryptCallbackResource,
  type PrivateKeyInput,
  type PublicKeyInput,
  type ResponseVerification,
  signRequest,
  signResponse,
  verifyResponseSignature,
} from '../protocol/index.ts'
export type {
  CouponDisplayInfo,
  DiscountCouponUsageRule,
  ExchangeCouponUsageRule,
  NormalCouponUsageRule,
  ProductCouponDisplayInfo,
  SequentialCouponAvailablePeriod,
  SequentialUsageInfo,
  SequentialUsageRule,
  SingleCouponAvailablePeriod,
  SingleUsageInfo,
  SingleUsageRule,
  StockForCreate,
  StockSendRule,
  UsageRuleDisplayInfo,
} from '../schemas/coupon-config.ts'
export type {
  AssociatedOrderInfo,
  CreateProductCouponResponse,
  ErrorBody,
  ProductCouponEntity,
  SequentialUsageDetail,
  SequentialUsageDetailItem,
  SingleUsageDetail,
  StockEntity,
  UserProductCouponEntity,
} from '../schemas/entities.ts'
export type {
  CouponCodeDisplayMode,
  CouponCodeMode,
  CouponUsageMethod,
  ProductCouponScope,
  ProductCouponState,
  ProductCouponType,
  SendChannel,
  SequentialUsageType,
  StockState,
  StockStoreScope,
  UsageDetailItemState,
  UsageMode,
  UserProductCouponState,
  WeekDay,
} from '../schemas/enums.ts'
export type {
  ConfirmCouponBody,
  CreateProductCouponBody,
  ReturnCouponBody,
  SendCouponBody,
  UseCouponBody,
  UserCouponQuery,
} from '../schemas/requests.ts'

export {
  type ConfirmCouponParams,
  type GetProductCouponParams,
  type GetStockParams,
  type GetUserCouponParams,
  type HttpMethod,
  type ReturnCouponParams,
  type SendCouponParams,
  type UseCouponParams,
  WxCouponClient,
  type WxCouponClientOptions,
} from './client.ts'
export {
  ApiError,
  ApiServerError,
  AuthenticationError,
  ConnectionError,
  errorFromResponse,
  InvalidRequestError,
  NotFoundError,
  ParamError,
  PermissionError,
  RateLimitError,
  type SignatureFailureReason,
  SignatureVerificationError,
  WxPayError,
  type WxPayErrorInit,
} from './errors.ts'
export { DEFAULT_BASE_URL } from './options.ts'
export {
  DEFAULT_RETRY_OPTIONS,
  type RetryOptions,
  retryDelayMs,
  shouldRetry,
} from './retry.ts'
export { SDK_VERSION } from './version.ts'
