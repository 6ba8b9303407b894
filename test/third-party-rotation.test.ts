import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { Wechatpay } from 'wechatpay-axios-plugin'
import Pay from 'wechatpay-node-v3'
import { startTestServer, type TestServer } from './helpers/harness.ts'

/**
 * Official-style downloaders of platform certificates (not written here) driven through a
 * rotation (issue 12): wechatpay-axios-plugin's certificate download (the one `wxpay crt`
 * makes) and its verifier fed from it, and wechatpay-node-v3's fetchCertificates/verifySign, which downloads again
 * when an answer names a serial it does not hold. The rotation: a partner in certificate mode,
 * a second certificate listed (signing after 24 h of sandbox time), the clock moved on, the
 * first certificate expired.
 */

let s: TestServer
let work: string
before(async () => {
  s = await startTestServer()
  work = mkdtempSync(join(tmpdir(), 'wxcoupon-rotation-'))
})
after(async () => {
  await s.close()
  rmSync(work, { recursive: true, force: true })
})

interface Partner {
  mchid: string
  serial: string
  keyFile: string
  privateKey: string
  apiv3Key: string
  certificates: { serial_no: string; certificate_pem: string }[]
}

async function certificatePartner(): Promise<Partner> {
  const r = await s.admin('POST', '/sandbox/partners', { key_mode: 'certificate' })
  assert.equal(r.status, 200, r.text)
  const keyFile = join(work, `${r.json.mchid}.pem`)
  writeFileSync(keyFile, r.json.private_key_pem)
  return {
    mchid: r.json.mchid,
    serial: r.json.serial_no,
    keyFile,
    privateKey: r.json.private_key_pem,
    apiv3Key: r.json.apiv3_key,
    certificates: r.json.platform_certificates,
  }
}

/** A rotation of `p`'s certificates; returns the new serial once it signs and the old is gone. */
async function rotate(p: Partner, step: (phase: 'listed' | 'active' | 'expired') => Promise<void>) {
  const old = p.certificates[0]?.serial_no ?? ''
  const added = await s.admin('POST', `/sandbox/partners/${p.mchid}/platform-certificates`)
  assert.equal(added.status, 200, added.text)
  await step('listed')
  await s.admin('POST', '/sandbox/clock', { advance_seconds: 86_400 })
  await step('active')
  await s.admin('POST', `/sandbox/partners/${p.mchid}/platform-certificates/${old}/expire`)
  await step('expired')
  return added.json.serial_no as string
}

const NOTIFY = { notify_url: 'https://example.com/wxcoupon/notify' }

describe('wechatpay-axios-plugin', () => {
  /**
   * The plugin with a certs map it verifies with, and its certificate download: `wxpay crt`'s
   * injector (decrypt each listed certificate into the map, then let the normal verifier check
   * the answer, which must therefore be signed by a listed certificate). The CLI itself cannot
   * be run for this in 0.9.6: it fills its own `certs` object, but the verifier reads the copy
   * the constructor made of it (`config.certs` after construction), so every download fails
   * verification whatever the server. The map used here is that copy.
   */
  function plugin(p: Partner) {
    const config = {
      mchid: p.mchid,
      serial: p.serial,
      privateKey: p.privateKey,
      certs: Object.fromEntries(p.certificates.map((c) => [c.serial_no, c.certificate_pem])),
      baseURL: `${s.baseUrl}/`,
    }
    const wx = new Wechatpay(config as never) as Chain
    const held = (config as { certs: Record<string, unknown> }).certs
    const download = async (): Promise<string[]> => {
      const { AesGcm } = (await import('wechatpay-axios-plugin')).Aes as Chain
      const r = await wx.v3.certificates.get({
        transformResponse: [
          (text: string) => {
            for (const d of JSON.parse(text).data ?? []) {
              const e = d.encrypt_certificate
              held[d.serial_no] = AesGcm.decrypt(
                e.ciphertext,
                p.apiv3Key,
                e.nonce,
                e.associated_data,
              )
            }
            return text
          },
          ...wx.client.v3.defaults.transformResponse,
        ],
      })
      assert.equal(r.status, 200)
      return (r.data.data as { serial_no: string }[]).map((d) => d.serial_no).sort()
    }
    return { api: wx.v3.marketing.partner.productCoupon.notifyConfigs, download, held }
  }

  test('its download lists the right certificates at each step, each answer verified by them', async () => {
    const p = await certificatePartner()
    const old = p.certificates[0]?.serial_no ?? ''
    const { download } = plugin(p)
    assert.deepEqual(await download(), [old])
    const seen: Record<string, string[]> = {}
    const next = await rotate(p, async (phase) => {
      seen[phase] = await download()
    })
    assert.deepEqual(seen, {
      listed: [old, next].sort(),
      active: [old, next].sort(),
      expired: [next],
    })
  })

  test('its verifier keeps working through the rotation once it downloads on an unknown serial', async () => {
    const p = await certificatePartner()
    const { api, download } = plugin(p)
    assert.equal((await api.post(NOTIFY)).status, 200)
    const failures: string[] = []
    await rotate(p, async (phase) => {
      try {
        await api.get()
      } catch (e) {
        failures.push(`${phase}: ${(e as Error).message.slice(0, 80)}`)
        // The answer named a serial it does not hold: download, then the same call works.
        await download()
        assert.equal((await api.get()).status, 200)
      }
    })
    // Only once the new certificate signs does the plugin need the download.
    assert.equal(failures.length, 1, failures.join('\n'))
    assert.match(failures[0] ?? '', /^active: /)
  })
})

describe('wechatpay-node-v3', () => {
  /** Its transport, with the fixed host mapped to the sandbox and the answer's headers kept. */
  function transport() {
    const last: { headers: Headers; text: string } = { headers: new Headers(), text: '' }
    const send = async (
      url: string,
      method: string,
      headers: Record<string, string>,
      body?: object,
    ) => {
      const res = await fetch(url.replace('https://api.mch.weixin.qq.com', s.baseUrl), {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      last.text = await res.text()
      last.headers = res.headers
      return { status: res.status, data: JSON.parse(last.text || '{}') }
    }
    return {
      last,
      service: {
        get: (url: string, headers: Record<string, string>) => send(url, 'GET', headers),
        post: (url: string, params: object, headers: Record<string, string>) =>
          send(url, 'POST', headers, params),
        upload: () => Promise.reject(new Error('not used')),
      },
    }
  }

  test('verifySign downloads the certificates again when an answer names a new serial', async () => {
    const p = await certificatePartner()
    const t = transport()
    const pay = new Pay({
      appid: 'wx0000000000000000',
      mchid: p.mchid,
      serial_no: p.serial,
      // Only read for a serial when serial_no is not given.
      publicKey: Buffer.from('unused'),
      privateKey: Buffer.from(p.privateKey),
      key: p.apiv3Key,
    } as never) as Chain
    pay.createHttp(t.service)
    const url = 'https://api.mch.weixin.qq.com/v3/marketing/partner/product-coupon/notify-configs'
    const verified = async () => {
      const r = await t.service.post(
        url,
        NOTIFY,
        pay.getHeaders(pay.buildAuthorization('POST', url, NOTIFY), {
          'Content-Type': 'application/json',
        }),
      )
      assert.equal(r.status, 200, t.last.text)
      const h = (n: string) => t.last.headers.get(n) ?? ''
      const ok: boolean = await pay.verifySign({
        timestamp: h('wechatpay-timestamp'),
        nonce: h('wechatpay-nonce'),
        serial: h('wechatpay-serial'),
        signature: h('wechatpay-signature'),
        body: t.last.text,
        apiSecret: p.apiv3Key,
      })
      return [h('wechatpay-serial'), ok] as const
    }
    const old = p.certificates[0]?.serial_no ?? ''
    assert.deepEqual(await verified(), [old, true])
    const steps: (readonly [string, boolean])[] = []
    const next = await rotate(p, async () => {
      steps.push(await verified())
    })
    assert.deepEqual(steps, [
      [old, true],
      [next, true],
      [next, true],
    ])
    // Its certificate store is static and was filled by downloads (parsed with @fidm/x509).
    const store = (Pay as unknown as { certificates: Record<string, string> }).certificates
    assert.ok(store[old] && store[next], 'both serials were downloaded')
    assert.match(store[next] ?? '', /BEGIN PUBLIC KEY/)
    // Control: an answer whose signature does not match is refused.
    const ok = await pay.verifySign({
      timestamp: t.last.headers.get('wechatpay-timestamp'),
      nonce: t.last.headers.get('wechatpay-nonce'),
      serial: next,
      signature: t.last.headers.get('wechatpay-signature'),
      body: `${t.last.text} `,
      apiSecret: p.apiv3Key,
    })
    assert.equal(ok, false)
  })
})

// biome-ignore lint/suspicious/noExplicitAny: both libraries build their APIs dynamically
type Chain = any
