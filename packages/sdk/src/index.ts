/** The package's public entry point (package.json "exports": "."). */

export {
  type ControlMethods,
  SandboxAdminClient,
  type SandboxAdminClientOptions,
} from './client/admin-client.ts'
export {
  type BrandClientOptions,
  type BrandOperationMethods,
  type BrandParamsOf,
  WxCouponBrandClient,
} from './client/brand-client.ts'
export {
  type BrandCouponSendEvent,
  type BrandNotificationKeys,
  type ParseBrandNotificationParams,
  parseBrandNotification,
} from './client/brand-notifications.ts'
export {
  clientFor,
  type HttpMethod,
  WxCouponClient,
  type WxCouponClientFor,
  type WxCouponClientOptions,
} from './client/client.ts'
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
} from './client/errors.ts'
export {
  NotificationDecryptError,
  NotificationError,
  type NotificationFailureReason,
  NotificationFormatError,
  NotificationHeaderError,
  NotificationSerialError,
  NotificationSignatureError,
  NotificationTimestampError,
  notificationErrorStatus,
} from './client/notification-errors.ts'
export {
  createNotificationHandler,
  MemoryNotificationDedupe,
  type NotificationDedupe,
  type NotificationHandlerOptions,
  notificationFailure,
} from './client/notification-handler.ts'
export {
  type Notification,
  type NotificationHeaders,
  type NotificationKeys,
  type ParseNotificationParams,
  type ProductCouponSendEvent,
  parseNotification,
} from './client/notifications.ts'
export { DEFAULT_BASE_URL, type RetryEvent } from './client/options.ts'
export type {
  AddStockParams,
  ConfirmCouponParams,
  DeactivateCouponParams,
  DeactivateProductCouponParams,
  DeactivateStockParams,
  GetProductCouponParams,
  GetStockParams,
  GetUserCouponParams,
  ItemOf,
  IterateStocksParams,
  IterateUserCouponsParams,
  ListStocksParams,
  ListUserCouponsParams,
  OperationMethods,
  ParamsOf,
  PatchProductCouponParams,
  PatchStockParams,
  ProductCouponPath,
  ReturnCouponParams,
  SendCouponParams,
  StockPath,
  UpdateStockBudgetParams,
  UploadCouponCodesParams,
  UseCouponParams,
  UserCouponPath,
} from './client/params.ts'
export {
  DEFAULT_RETRY_OPTIONS,
  type RetryOptions,
  retryDelayMs,
  shouldRetry,
} from './client/retry.ts'
export { clientOptionsFromSandbox, readSandboxFile } from './client/sandbox-file.ts'
export { SDK_VERSION } from './client/version.ts'
// Protocol helpers, so applications can sign, verify and decrypt in their own tests and callbacks.
export {
  CallbackDecryptError,
  decryptCallbackResource,
  type PrivateKeyInput,
  type PublicKeyInput,
  type ResponseVerification,
  type SignInformation,
  signRequest,
  signResponse,
  verifyResponseSignature,
} from './protocol/index.ts'
export type {
  CertificatesQuery,
  CertificatesResponse,
  EncryptCertificate,
  PlatformCertificateEntity,
} from './schemas/certificates.ts'
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
} from './schemas/coupon-config.ts'
export type {
  AssociatedOrderInfo,
  CreateProductCouponResponse,
  ErrorBody,
  ListStocksResponse,
  ListUserCouponsResponse,
  NotifyConfigEntity,
  ProductCouponEntity,
  SequentialUsageDetail,
  SequentialUsageDetailItem,
  SingleUsageDetail,
  StockEntity,
  UploadCouponCodesResponse,
  UserProductCouponEntity,
} from './schemas/entities.ts'
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
} from './schemas/enums.ts'
export type {
  AddStockBody,
  ConfirmCouponBody,
  CreateProductCouponBody,
  DeactivateBody,
  DeactivateCouponBody,
  ListStocksQuery,
  ListUserCouponsQuery,
  NotifyConfigBody,
  PatchProductCouponBody,
  PatchStockBody,
  ReturnCouponBody,
  SendCouponBody,
  UpdateBudgetBody,
  UploadCouponCodesBody,
  UseCouponBody,
  UserCouponQuery,
} from './schemas/requests.ts'
export { SANDBOX_PREFIX } from './schemas/sandbox.ts'
export type { SandboxFile } from './schemas/sandbox-file.ts'
