import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { promisify } from 'node:util'
import { ROOT } from './helpers/built-cli.ts'

/**
 * Both packages as users get them: packed into tarballs and installed into empty projects.
 * The SDK's install brings itself and the schema library, nothing native and no server
 * library, and works from ESM, CommonJS and TypeScript (nodenext and bundler resolution). The
 * sandbox's tarball installs beside it and its CLI runs. WXCOUPON_PACKAGES_FULL=1 (npm run
 * test:packages, CI) also builds its native SQLite driver as a user's install does and serves
 * from the installed package; that takes minutes, so a run without it installs without install
 * scripts (a quicker local check). Not part of `npm test`: CI runs it as `npm run test:packages`.
 */

const run = promisify(execFile)
const FULL = process.env.WXCOUPON_PACKAGES_FULL === '1'
const TSC = join(ROOT, 'node_modules', '.bin', 'tsc')
const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error']

let dir: string
let sdkTarball: string
let serverTarball: string

async function pack(path: string): Promise<string> {
  // The builds are in dist/ already (npm test builds first); packing must not rebuild them
  // under the feet of other test files.
  const { stdout } = await run('npm', ['pack', path, '--ignore-scripts', '--pack-destination', dir])
  return join(dir, stdout.trim().split('\n').pop() as string)
}

function project(name: string): string {
  const p = join(dir, name)
  mkdirSync(p)
  writeFileSync(join(p, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }))
  return p
}

/** Every package directory under node_modules, scoped ones by their full name. */
function installed(p: string): string[] {
  const top = join(p, 'node_modules')
  return readdirSync(top)
    .filter((n) => !n.startsWith('.'))
    .flatMap((n) => (n.startsWith('@') ? readdirSync(join(top, n)).map((m) => `${n}/${m}`) : [n]))
    .sort()
}

function nativeModules(p: string): string[] {
  return readdirSync(join(p, 'node_modules'), { recursive: true, encoding: 'utf8' }).filter((f) =>
    f.endsWith('.node'),
  )
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wxcoupon-packages-'))
  sdkTarball = await pack(join(ROOT, 'packages', 'sdk'))
  serverTarball = await pack(ROOT)
})
after(() => rmSync(dir, { recursive: true, force: true }))

test('the SDK installs alone: itself and typebox, nothing native, no server library', async (t) => {
  const app = project('app')
  const started = Date.now()
  await run('npm', ['install', sdkTarball, ...NPM_FLAGS], { cwd: app })
  t.diagnostic(`npm install of the SDK tarball: ${((Date.now() - started) / 1000).toFixed(1)} s`)
  assert.deepEqual(installed(app), ['@wxcoupon/sdk', 'typebox'])
  assert.deepEqual(nativeModules(app), [])

  // ESM and CommonJS (Node 20.19 loads ES modules through require).
  writeFileSync(
    join(app, 'esm.mjs'),
    "import { WxCouponClient, signRequest } from '@wxcoupon/sdk'\nconsole.log(typeof WxCouponClient.prototype.returnCoupon, typeof signRequest)\n",
  )
  writeFileSync(
    join(app, 'cjs.cjs'),
    "const { WxCouponClient, ParamError } = require('@wxcoupon/sdk')\nconsole.log(typeof WxCouponClient.prototype.iterateUserCoupons, typeof ParamError)\n",
  )
  assert.equal((await run('node', ['esm.mjs'], { cwd: app })).stdout, 'function function\n')
  assert.equal((await run('node', ['cjs.cjs'], { cwd: app })).stdout, 'function function\n')

  // TypeScript, with the SDK's declarations checked too (skipLibCheck off).
  await run('npm', ['install', '@types/node@20', ...NPM_FLAGS], { cwd: app })
  writeFileSync(
    join(app, 'use.ts'),
    [
      "import { WxCouponClient, type ReturnCouponParams, type UserProductCouponEntity } from '@wxcoupon/sdk'",
      "const wx = new WxCouponClient({ mchid: '1', serialNo: 'A', privateKey: 'k', platformPublicKey: 'p', platformPublicKeyId: 'PUB_KEY_ID_1' })",
      "const p: ReturnCouponParams = { openid: 'o', coupon_code: 'c', product_coupon_id: 'p', stock_id: 's', appid: 'a', brand_id: 'b', out_request_no: 'RETURN_1' }",
      'export const answer: Promise<UserProductCouponEntity> = wx.returnCoupon(p)',
      '// @ts-expect-error the ids of the coupon are required',
      "void wx.returnCoupon({ openid: 'o' })",
      "for await (const s of wx.iterateStocks({ product_coupon_id: 'p', brand_id: 'b' })) console.log(s.stock_id)",
      '',
    ].join('\n'),
  )
  for (const [module, resolution] of [
    ['nodenext', 'nodenext'],
    ['esnext', 'bundler'],
  ]) {
    const config = {
      compilerOptions: {
        module,
        moduleResolution: resolution,
        target: 'es2022',
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: ['node'],
      },
      files: ['use.ts'],
    }
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(config))
    await run(TSC, ['-p', '.'], { cwd: app })
  }
  // The control: the same checker refuses a call with a wrong type.
  writeFileSync(
    join(app, 'use.ts'),
    `${'import { WxCouponClient } from "@wxcoupon/sdk"\n'}void new WxCouponClient({ mchid: 1 })\n`,
  )
  await assert.rejects(run(TSC, ['-p', '.'], { cwd: app }))
})

test('the sandbox installs beside the SDK tarball; its CLI runs and re-exports the SDK', async () => {
  const app = project('sandbox')
  await run(
    'npm',
    ['install', sdkTarball, serverTarball, ...NPM_FLAGS, ...(FULL ? [] : ['--ignore-scripts'])],
    { cwd: app, timeout: 10 * 60_000 },
  )
  const names = installed(app)
  assert.ok(names.includes('wxcoupon') && names.includes('@wxcoupon/sdk'))
  const cli = join(app, 'node_modules', '.bin', 'wxcoupon')
  assert.match((await run(cli, ['--help'], { cwd: app })).stdout, /^Usage: wxcoupon/)
  writeFileSync(
    join(app, 'main.mjs'),
    "import { WxCouponClient } from 'wxcoupon'\nconsole.log(typeof WxCouponClient.prototype.sendCoupon)\n",
  )
  assert.equal((await run('node', ['main.mjs'], { cwd: app })).stdout, 'function\n')
  if (!FULL) return
  // Built as a user's install builds it: serve from the installed package, then the demo.
  const data = join(app, 'data')
  const server = execFile(cli, ['serve', '--port', '0', '--data-dir', data, '--workers', '1'])
  try {
    await new Promise<void>((resolve, reject) => {
      server.stdout?.on('data', (d: Buffer) => {
        if (d.toString().includes('http://')) resolve()
      })
      server.on('exit', (code) => reject(new Error(`serve exited ${code}`)))
    })
    assert.ok(existsSync(join(data, 'sandbox.json')))
    const { stdout } = await run(cli, ['demo', '--data-dir', data], { cwd: app })
    assert.match(stdout, /return/i)
  } finally {
    server.kill('SIGTERM')
  }
})
