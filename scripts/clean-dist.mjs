// tsc never deletes: a file moved or removed in src/ would live on in dist/ and be published.
import { rmSync } from 'node:fs'

for (const dir of ['../dist', '../packages/sdk/dist']) {
  rmSync(new URL(dir, import.meta.url), { recursive: true, force: true })
}
