/**
 * Table shapes, shared by every dialect. Documents that only the domain reads are JSON text
 * in `doc`; columns exist for what queries filter, join or count on.
 */
export interface Database {
  meta: { key: string; value: string }
  sequences: { name: string; value: number }
  platform_keys: {
    key_id: string
    private_key_pem: string
    public_key_pem: string
    created_at: number
  }
  partners: { mchid: string; apiv3_key: string; created_at: number; revision: string }
  partner_certs: { mchid: string; serial_no: string; public_key_pem: string; created_at: number }
  brands: { brand_id: string; created_at: number }
  brand_direct: {
    brand_id: string
    mchid: string
    public_key_id: string
    private_key_pem: string
    public_key_pem: string
    created_at: number
  }
  brand_partners: { brand_id: string; mchid: string }
  appids: { appid: string; mchid: string | null; brand_id: string | null; created_at: number }
  openids: { appid: string; openid: string; created_at: number }
  product_coupons: {
    product_coupon_id: string
    brand_id: string
    mchid: string
    state: string
    doc: string
    created_at: number
    updated_at: number
  }
  stocks: {
    stock_id: string
    product_coupon_id: string
    brand_id: string
    mchid: string
    state: string
    doc: string
    sent_total: number
    sent_today: number
    sent_day: number
    created_at: number
    updated_at: number
  }
  user_coupons: {
    stock_id: string
    coupon_code: string
    product_coupon_id: string
    brand_id: string
    mchid: string
    openid: string
    appid: string
    state: string
    valid_begin: number
    valid_end: number
    receive_time: number
    doc: string
    version: number
    issue_seq: number
    created_at: number
    updated_at: number
  }
  notify_configs: { mchid: string; notify_url: string; update_time: number }
  notifications: {
    id: string
    mchid: string
    event_type: string
    create_time: number
    payload: string
    state: string
    attempts: number
    next_attempt_at: number
    lease_until: number
    seq: number
  }
  notification_attempts: {
    notification_id: string
    attempt_no: number
    at: number
    status: number | null
    latency_ms: number
    error: string | null
    kind: string
  }
  rate_counters: { key: string; window_start: number; count: number }
  partner_trust: {
    mchid: string
    key_mode: string
    strict_serial: number
    callback_public_key_share: number
    version: number
    updated_at: number
  }
  platform_certificates: {
    serial_no: string
    mchid: string
    certificate_pem: string
    private_key_pem: string
    effective_time: number
    expire_time: number
    signing_from: number
    revoked_at: number | null
    created_at: number
  }
  coupon_codes: { stock_id: string; code: string; used: number; created_at: number }
  idempotency: {
    brand_id: string
    operation: string
    request_no: string
    fingerprint: string
    resource_id: string
    snapshot: string | null
    created_at: number
  }
  user_coupon_bundles: {
    bundle_id: string
    mchid: string
    brand_id: string
    openid: string
    appid: string
    product_coupon_id: string
    stock_bundle_id: string
    doc: string
    created_at: number
  }
  brand_stores: { store_id: string; brand_id: string; open: number; created_at: number }
  pre_send_tokens: {
    token: string
    mchid: string
    brand_id: string
    expires_at: number
    claimed: string | null
    doc: string
    created_at: number
  }
  request_journal: {
    seq: number
    request_id: string
    mchid: string
    at: number
    sandbox_time: number
    method: string
    url: string
    operation: string | null
    status: number
    code: string | null
    duration_us: number
    stock_id: string | null
    coupon_code: string | null
    out_request_no: string | null
    verification: string
    doc: string
  }
}
