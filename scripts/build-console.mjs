// Builds the sandbox console (console/) into dist/console: one ES module bundle (Preact + htm,
// no CDN), its stylesheet and the page. Run by `npm run build`, so `npm ci` builds it too.
import { copyFileSync, mkdirSync } from 'node:fs'
import { build } from 'esbuild'

const root = new URL('../', import.meta.url)
const out = new URL('dist/console/', root)
mkdirSync(new URL('assets/', out), { recursive: true })
await build({
  entryPoints: [new URL('console/src/main.ts', root).pathname],
  outfile: new URL('assets/console.js', out).pathname,
  bundle: true,
  format: 'esm',
  minify: true,
  target: 'es2022',
  conditions: ['wxcoupon-source'],
  legalComments: 'none',
  logLevel: 'warning',
})
copyFileSync(new URL('console/console.css', root), new URL('assets/console.css', out))
copyFileSync(new URL('console/index.html', root), new URL('index.html', out))
