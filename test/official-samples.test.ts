import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { getCoupon, reqNo, usedCoupon } from './helpers/fixtures.ts'
import { startTestServer, type TestServer } from './helpers/harness.ts'
import {
  type Filled,
  goEnv,
  goSample,
  JARS,
  javaSample,
  run,
  skipUnless,
  toolchains,
} from './helpers/seed-samples.ts'

/**
 * The seed's own Go and Java samples of the return call (shared/seed, copied verbatim into
 * test/clients/seed-samples/), compiled with Debian's golang-go and OpenJDK + libokhttp-java
 * + libgoogle-gson-java, run against the sandbox with no change to their code: their host
 * stays https://api.mch.weixin.qq.com and they reach the sandbox through `serve --proxy-port`
 * (Go: HTTPS_PROXY and SSL_CERT_FILE; Java: -Dhttps.proxyHost/-Dhttps.proxyPort and a trust
 * store holding the sandbox CA). Only their TODO values (merchant, keys, coupon) are filled
 * in. Both key modes: the public key, and a platform certificate in its place (the samples
 * take any key id and PEM file). The helper libraries they import (wxpay_utility,
 * WXPayUtility) are ours, written from the protocol spec.
 *
 * Where the toolchains are missing the tests skip with a message; CI sets
 * WXCOUPON_REQUIRE_CLIENTS=1 (and installs them), and then a missing one fails.
 */

let s: TestServer
let work: string
before(async () => {
  s = await startTestServer(undefined, { proxyPort: 0 })
  work = mkdtempSync(join(tmpdir(), 'wxcoupon-samples-'))
})
after(async () => {
  await s.close()
  rmSync(work, { recursive: true, force: true })
})

/** A SEQUENTIAL coupon whose first round is used: the seed's request returns round 0. */
async function preparedCall(mode: 'public_key' | 'certificate'): Promise<Filled> {
  const sb = s.sandbox
  let platformKeyId = sb.platform.public_key_id
  let platformKeyFile = sb.platform.public_key_file
  if (mode === 'certificate') {
    const r = await s.admin('POST', `/sandbox/partners/${sb.partner.mchid}/key-mode`, {
      key_mode: 'certificate',
    })
    assert.equal(r.status, 200, r.text)
    const [c] = r.json.platform_certificates
    s.trustCertificate(c.serial_no, c.certificate_pem)
    platformKeyId = c.serial_no
    platformKeyFile = join(work, `wechatpay_${c.serial_no}.pem`)
    writeFileSync(platformKeyFile, c.certificate_pem)
  }
  return {
    mchid: sb.partner.mchid,
    serial: sb.partner.serial_no,
    keyFile: sb.partner.private_key_file,
    platformKeyId,
    platformKeyFile,
    coupon: await usedCoupon(s, { mode: 'SEQUENTIAL', rounds: 2 }, 1),
    outRequestNo: reqNo('SAMPLE'),
  }
}

async function assertReturned(f: Filled) {
  const got = await getCoupon(s, f.coupon)
  const round = got.sequential_usage_detail.detail_item_list[0]
  assert.equal(round.return_request_no, f.outRequestNo, JSON.stringify(got))
  assert.equal(got.sequential_usage_detail.used_count, 0)
}

describe('the seed Go sample (golang-go, HTTPS_PROXY, SSL_CERT_FILE)', {
  skip: skipUnless(toolchains.go, 'go'),
}, () => {
  const env = () => goEnv(work)

  async function build(f: Filled): Promise<string> {
    const dir = goSample(work, f)
    await run('go', ['build', '-o', 'sample', '.'], { cwd: dir, env: env(), timeout: 180_000 })
    return join(dir, 'sample')
  }

  const proxyEnv = (caFile = s.sandbox.ca_file ?? '') => ({
    HTTPS_PROXY: s.sandbox.proxy_url ?? '',
    SSL_CERT_FILE: caFile,
  })
  /** The sample for `mode`, built and run through the proxy. */
  async function runSample(mode: 'public_key' | 'certificate', caFile?: string) {
    const f = await preparedCall(mode)
    const bin = await build(f)
    const r = await run(bin, [], { env: { ...env(), ...proxyEnv(caFile) }, timeout: 60_000 })
    return { f, stdout: r.stdout }
  }

  test('public-key mode: the return succeeds, its response verified by the sample', async () => {
    const { f, stdout } = await runSample('public_key')
    assert.match(stdout, /^请求成功: /, stdout)
    await assertReturned(f)
  })

  test('control: without the sandbox CA the sample refuses the interception', async () => {
    const empty = join(work, 'no-ca.pem')
    writeFileSync(empty, '')
    const { stdout } = await runSample('public_key', empty)
    assert.match(stdout, /^请求失败: .*(certificate|x509)/, stdout)
  })

  test('certificate mode: the same sample with the platform certificate in place of the public key', async () => {
    const { f, stdout } = await runSample('certificate')
    assert.match(stdout, /^请求成功: /, stdout)
    await assertReturned(f)
    await s.admin('POST', `/sandbox/partners/${f.mchid}/key-mode`, { key_mode: 'public_key' })
  })
})

describe('the seed Java sample (OkHttp 3, Gson, -Dhttps.proxyHost, a trust store)', {
  skip: skipUnless(toolchains.java, 'javac or the OkHttp/Gson jars'),
}, () => {
  const classpath = (dir: string) => [dir, ...JARS].join(':')
  let store = ''
  before(async () => {
    store = join(work, 'truststore.p12')
    await run(
      'keytool',
      [
        '-importcert',
        '-noprompt',
        '-alias',
        'wxcoupon-sandbox-ca',
        '-file',
        s.sandbox.ca_file ?? '',
        '-keystore',
        store,
        '-storetype',
        'PKCS12',
        '-storepass',
        'changeit',
      ],
      { timeout: 60_000 },
    )
  })

  async function build(f: Filled): Promise<string> {
    const dir = javaSample(work, f)
    const out = join(dir, 'classes')
    const sources = ['utils/WXPayUtility.java', 'demo/ReturnUserProductCoupon.java']
    await run(
      'javac',
      [
        '-encoding',
        'UTF-8',
        '-d',
        out,
        '-cp',
        JARS.join(':'),
        ...sources.map((f) => join(dir, 'com', 'java', f)),
      ],
      { timeout: 180_000 },
    )
    return out
  }

  function java(classes: string, trustStore: string) {
    const proxy = new URL(s.sandbox.proxy_url ?? '')
    return run(
      'java',
      [
        `-Dhttps.proxyHost=${proxy.hostname}`,
        `-Dhttps.proxyPort=${proxy.port}`,
        `-Djavax.net.ssl.trustStore=${trustStore}`,
        '-Djavax.net.ssl.trustStorePassword=changeit',
        '-cp',
        classpath(classes),
        'com.java.demo.ReturnUserProductCoupon',
      ],
      { timeout: 60_000 },
    )
  }

  test('public-key mode: the return succeeds, its response verified by the sample', async () => {
    const f = await preparedCall('public_key')
    const r = await java(await build(f), store)
    assert.match(r.stdout, /UserProductCouponEntity@/, r.stdout + r.stderr)
    await assertReturned(f)
  })

  test('control: with a trust store that lacks the sandbox CA the handshake is refused', async () => {
    const f = await preparedCall('public_key')
    const other = join(work, 'empty.p12')
    await run(
      'keytool',
      [
        '-genkeypair',
        '-alias',
        'x',
        '-dname',
        'CN=x',
        '-keyalg',
        'RSA',
        '-keystore',
        other,
        '-storetype',
        'PKCS12',
        '-storepass',
        'changeit',
      ],
      { timeout: 60_000 },
    )
    await assert.rejects(java(await build(f), other), (e: { stderr?: string }) =>
      /SSLHandshakeException|PKIX path building failed/.test(e.stderr ?? ''),
    )
  })

  test('certificate mode: the same sample with the platform certificate in place of the public key', async () => {
    const f = await preparedCall('certificate')
    const r = await java(await build(f), store)
    assert.match(r.stdout, /UserProductCouponEntity@/, r.stdout + r.stderr)
    await assertReturned(f)
    await s.admin('POST', `/sandbox/partners/${f.mchid}/key-mode`, { key_mode: 'public_key' })
  })
})
