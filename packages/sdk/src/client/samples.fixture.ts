// Test data for the SDK tests, typed with the schema types so a schema change breaks them here.

import type { CreateProductCouponBody, StockForCreate } from '../index.ts'
import type {
  CreateProductCouponResponse,
  ProductCouponEntity,
  StockEntity,
  UserProductCouponEntity,
} from '../schemas/entities.ts'

export const BRAND_ID = '120344'
export const APPID = 'wx233544546545989'
export const OPENID = 'oh-394z-6CGkNoJrsDLTTUKiAnp4'
export const COUPON_CODE = '887755443322'
export const PRODUCT_COUPON_ID = '1000000013'
export const STOCK_ID = '1000000013001'

const stockForCreate: StockForCreate = {
  remark: '测试批次',
  coupon_code_mode: 'WECHATPAY',
  stock_send_rule: { max_count: 100, max_count_per_user: 1 },
  sequential_usage_rule: {
    coupon_available_period: {
      available_begin_time: '2025-08-04T10:00:00+08:00',
      available_end_time: '2025-09-04T10:00:00+08:00',
    },
    normal_coupon_list: [
      { threshold: 0, discount_amount: 100 },
      { threshold: 0, discount_amount: 200 },
      { threshold: 0, discount_amount: 300 },
    ],
  },
  usage_rule_display_info: {
    coupon_usage_method_list: ['OFFLINE'],
    usage_description: '到店使用',
  },
  coupon_display_info: { code_display_mode: 'QRCODE' },
  notify_config: { notify_appid: APPID },
  store_scope: 'NONE',
}

export const createBody: CreateProductCouponBody = {
  out_request_no: 'MCHCREATE20250804001',
  brand_id: BRAND_ID,
  scope: 'ALL',
  type: 'NORMAL',
  usage_mode: 'SEQUENTIAL',
  sequential_usage_info: { type: 'INCREMENTAL', count: 3, available_days: 30 },
  display_info: {
    name: '三次满减券',
    image_url: 'https://img.example.test/a.png',
    background_url: 'https://img.example.test/b.png',
  },
  stock: stockForCreate,
}

export const productCoupon: ProductCouponEntity = {
  product_coupon_id: PRODUCT_COUPON_ID,
  scope: 'ALL',
  type: 'NORMAL',
  usage_mode: 'SEQUENTIAL',
  sequential_usage_info: { type: 'INCREMENTAL', count: 3, available_days: 30 },
  display_info: createBody.display_info,
  state: 'EFFECTIVE',
  brand_id: BRAND_ID,
}

export const stock: StockEntity = {
  product_coupon_id: PRODUCT_COUPON_ID,
  stock_id: STOCK_ID,
  coupon_code_mode: 'WECHATPAY',
  stock_send_rule: stockForCreate.stock_send_rule,
  usage_rule_display_info: stockForCreate.usage_rule_display_info,
  coupon_display_info: stockForCreate.coupon_display_info,
  notify_config: stockForCreate.notify_config,
  store_scope: 'NONE',
  sent_count_info: { total_count: 1, today_count: 1 },
  state: 'SENDING',
  brand_id: BRAND_ID,
}

export const createResponse: CreateProductCouponResponse = {
  ...productCoupon,
  state: 'AUDITING',
  stock: { ...stock, state: 'AUDITING', sent_count_info: { total_count: 0, today_count: 0 } },
}

export const userCoupon: UserProductCouponEntity = {
  coupon_code: COUPON_CODE,
  coupon_state: 'EFFECTIVE',
  valid_begin_time: '2025-08-04T10:00:00+08:00',
  valid_end_time: '2025-09-03T23:59:59+08:00',
  receive_time: '2025-08-04T10:00:00+08:00',
  send_request_no: 'MCHSEND202508040001',
  send_channel: 'API',
  sequential_usage_detail: { total_count: 3, used_count: 0 },
  product_coupon: productCoupon,
  stock,
  brand_id: BRAND_ID,
}

export const couponRef = {
  product_coupon_id: PRODUCT_COUPON_ID,
  stock_id: STOCK_ID,
  appid: APPID,
  brand_id: BRAND_ID,
}
