import { type Static, Type } from 'typebox'

/**
 * sandbox.json, which the server writes into its data dir on every start: where it listens,
 * the admin token, and a ready tenant with its key files. Tools outside this repository read
 * it, so its members are a contract; members added later (by newer servers) are allowed.
 */
const Text = Type.String({ minLength: 1 })

export const SandboxFile = Type.Object({
  /** `https://…` when the server runs with `--tls`. */
  base_url: Text,
  /** The sandbox CA's certificate (PEM): trust it for `--tls` and the proxy. Servers before it omit it. */
  ca_file: Type.Optional(Text),
  /** `serve --proxy-port`: the intercepting proxy for api.mch.weixin.qq.com / api2.… */
  proxy_url: Type.Optional(Text),
  admin_token: Text,
  platform: Type.Object({ public_key_id: Text, public_key_file: Text }),
  partner: Type.Object({
    mchid: Text,
    serial_no: Text,
    private_key_file: Text,
    apiv3_key: Text,
  }),
  brand_id: Text,
  appid: Text,
  openid: Text,
  /**
   * Brand-direct mode (/brand/…): the bootstrap brand calling in its own name, and an AppID and
   * user of its own. Servers before it omit it.
   */
  brand_direct: Type.Optional(
    Type.Object({
      brand_id: Text,
      /** Brand API certificate serial. */
      serial_no: Text,
      private_key_file: Text,
      /** Brand API key: decrypts the brand's callbacks. */
      api_key: Text,
      /** `PUB_KEY_ID_…`, sent as Wechatpay-Serial. */
      public_key_id: Text,
      public_key_file: Text,
      appid: Text,
      openid: Text,
    }),
  ),
})
export type SandboxFile = Static<typeof SandboxFile>
