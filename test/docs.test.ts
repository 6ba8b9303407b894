import assert from 'node:assert/strict'
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { promisify } from 'node:util'
import { renderControlsDoc } from '../scripts/sandbox-controls-doc.ts'
import { type RunningServer, startServer } from '../src/server/start.ts'
import { CLI, ROOT } from './helpers/built-cli.ts'

/**
 * Every code block of the README and docs/ is run or type-checked, as the comment before it
 * says (`<!-- check: … -->`): TypeScript is type-checked against the package, the README's SDK
 * example and test files are run against a fresh sandbox, shell blocks are run (`run`) or each
 * `npx wxcoupon …` in them is checked against the CLI's own help (`parse`), the CI workflow's
 * start step is run. User-facing text names no internal files or labels.
 */
const exec = promisify(execFile)
const DOCS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
]

interface Block {
  file: string
  line: number
  lang: string
  check: string
  code: string
}

function blocks(): Block[] {
  const out: Block[] = []
  for (const file of DOCS) {
    const lines = readFileSync(join(ROOT, file), 'utf8').split('\n')
    for (let i = 0; i < lines.length; i++) {
      const open = /^```(\w*)\s*$/.exec(lines[i] ?? '')
      if (!open) continue
      const end = lines.findIndex((l, j) => j > i && l.startsWith('```'))
      const marker = /^<!-- check: (.+) -->$/.exec(lines[i - 1] ?? '')
      out.push({
        file,
        line: i + 1,
        lang: open[1] ?? '',
        check: marker?.[1] ?? '',
        code: lines.slice(i + 1, end).join('\n'),
      })
      i = end
    }
  }
  return out
}

const ALL = blocks()
// `output of …`: what a command printed, shown as a sample; nothing there is code to run.
const KINDS =
  /^(typecheck|run( [\w-]+)?|parse|ci-workflow|covered-by \S+|run-by \S+ [\w-]+|output of .+|not runnable here: .+)$/
/** Blocks another test file runs as written (it finds them by this marker and name). */
const runBy = (b: Block) => /^run-by (\S+) ([\w-]+)$/.exec(b.check)
const BLOCK_DIR = join(ROOT, 'test', '.doc-blocks')
const fileOf = (b: Block) => join(BLOCK_DIR, `${b.file.replace(/\W/g, '_')}_${b.line}.ts`)

let server: RunningServer
let dataDir: string
before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'wxcoupon-docs-'))
  server = await startServer({ port: 0, dataDir: join(dataDir, '.wxcoupon') })
  rmSync(BLOCK_DIR, { recursive: true, force: true })
  mkdirSync(BLOCK_DIR, { recursive: true })
  // Blocks that another test runs are that test's to check; they may use other libraries' looser types.
  for (const b of ALL.filter((x) => x.lang === 'ts' && !runBy(x)))
    writeFileSync(fileOf(b), `${b.code}\n`)
})
after(async () => {
  await server?.close()
  rmSync(dataDir, { recursive: true, force: true })
  rmSync(BLOCK_DIR, { recursive: true, force: true })
})

test('every code block says how it is checked', () => {
  assert.ok(ALL.length >= 15, `found ${ALL.length} blocks`)
  const unchecked = ALL.filter((b) => !KINDS.test(b.check)).map((b) => `${b.file}:${b.line}`)
  assert.deepEqual(unchecked, [])
  for (const b of ALL) {
    const by = runBy(b)
    if (!by) continue
    const runner = readFileSync(join(ROOT, by[1] as string), 'utf8')
    assert.ok(
      runner.includes(`'${by[2]}'`),
      `${b.file}:${b.line}: ${by[1]} does not run '${by[2]}'`,
    )
  }
  for (const b of ALL.filter((x) => x.check.startsWith('covered-by '))) {
    const target = readFileSync(join(ROOT, b.check.slice('covered-by '.length)), 'utf8')
    if (b.lang !== 'ts') continue
    for (const line of b.code.split('\n').filter((l) => l.trim() && !l.trim().startsWith('//'))) {
      assert.ok(
        target.includes(line.trim()),
        `${b.file}:${b.line}: "${line.trim()}" is not in ${b.check}`,
      )
    }
  }
})

test('user-facing text names no internal files or labels', () => {
  for (const file of DOCS) {
    const text = readFileSync(join(ROOT, file), 'utf8')
    for (const bad of [/\.\.\/shared/, /\bQ\d{1,2}\b/, /§/, /\bE\d{1,2}\b/, /\bthe spec\b/]) {
      assert.doesNotMatch(text, bad, `${file} mentions ${bad}`)
    }
  }
})

test('docs/sandbox-api.md is the control table (npm run docs rewrites it)', () => {
  assert.equal(readFileSync(join(ROOT, 'docs/sandbox-api.md'), 'utf8'), renderControlsDoc())
})

test('every TypeScript block type-checks against the package', { timeout: 120_000 }, async () => {
  writeFileSync(
    join(BLOCK_DIR, 'tsconfig.json'),
    JSON.stringify({
      extends: '../../tsconfig.json',
      compilerOptions: { noEmit: true, customConditions: ['wxcoupon-source'] },
      include: ['*.ts'],
    }),
  )
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
  const r = await exec(process.execPath, [tsc, '-p', join(BLOCK_DIR, 'tsconfig.json')], {
    cwd: ROOT,
  }).catch((e: { stdout: string }) => e)
  assert.equal('code' in r ? r.code : 0, 0, `tsc:\n${r.stdout}`)
})

test("the README's SDK example runs against a fresh sandbox", { timeout: 120_000 }, async () => {
  const example = ALL.find((b) => b.file === 'README.md' && b.check === 'run sdk-example')
  assert.ok(example, 'the README has its SDK example')
  const r = await exec(
    process.execPath,
    ['--conditions=wxcoupon-source', '--import', import.meta.resolve('tsx'), fileOf(example)],
    { cwd: dataDir },
  )
  assert.deepEqual(r.stdout.trim().split('\n'), ['USED', 'EFFECTIVE'])
})

test('the test files of the README and docs/testing.md pass', { timeout: 180_000 }, async () => {
  const files = ALL.filter((b) => b.check === 'run node-test').map(fileOf)
  assert.ok(files.length >= 2)
  const r = await exec(
    process.execPath,
    ['--conditions=wxcoupon-source', '--import', 'tsx', '--test', '--test-reporter=tap', ...files],
    // Without the parent's test context, the child runs its tests as a run of its own.
    { cwd: ROOT, env: { ...process.env, NODE_TEST_CONTEXT: undefined } },
  ).catch((e: { code: number; stdout: string; stderr: string }) => e)
  assert.equal('code' in r ? r.code : 0, 0, `${r.stdout}\n${r.stderr}`)
  assert.match(r.stdout, /^# pass 3$/m, `three tests ran:\n${r.stdout}`)
})

const SHIM = `set -euo pipefail
npx() { if [ "$1" = wxcoupon ]; then shift; node ${JSON.stringify(CLI)} "$@"; else command npx "$@"; fi; }
`

test('the shell blocks marked run succeed against a sandbox', { timeout: 120_000 }, async () => {
  for (const b of ALL.filter((x) => x.check === 'run' && x.lang === 'sh')) {
    const r = await exec('bash', ['-c', SHIM + b.code], {
      cwd: dataDir,
      env: { ...process.env, WXCOUPON_DATA_DIR: join(dataDir, '.wxcoupon') },
    }).catch((e: { code: number; stdout: string; stderr: string }) => e)
    assert.equal('code' in r ? r.code : 0, 0, `${b.file}:${b.line}:\n${r.stdout}\n${r.stderr}`)
  }
})

/** `npx wxcoupon a b --x y` → the words and the flags, quotes respected. */
function commands(code: string): { words: string[]; flags: string[] }[] {
  const out: { words: string[]; flags: string[] }[] = []
  for (const line of code.split('\n')) {
    for (const part of line.split(/npx wxcoupon /).slice(1)) {
      const tokens = (part.replace(/#.*$/, '').match(/'[^']*'|"[^"]*"|\S+/g) ?? []).filter(
        (t) => !t.startsWith('&') && t !== '>' && !t.startsWith('2>'),
      )
      const words: string[] = []
      for (const t of tokens) {
        if (t.startsWith('-')) break
        words.push(t)
      }
      out.push({
        words,
        flags: tokens.filter((t) => /^--[a-z]/.test(t)).map((t) => t.split('=')[0] ?? t),
      })
    }
  }
  return out
}

/** `--help` of each command asked once: the docs name the same commands many times. */
const helps = new Map<string, Promise<{ stdout: string }>>()
function help(words: string[]): Promise<{ stdout: string }> {
  const key = words.join(' ')
  let h = helps.get(key)
  if (!h) {
    h = exec(process.execPath, [CLI, ...words, '--help'], { cwd: ROOT }).catch(() => ({
      stdout: '',
    }))
    helps.set(key, h)
  }
  return h
}

async function helpOf(words: string[]): Promise<string> {
  // The longest prefix of the words that names a (sub)command.
  for (let n = Math.min(words.length, 2); n >= 0; n--) {
    const r = await help(words.slice(0, n))
    if (r.stdout.startsWith(`Usage: wxcoupon ${words.slice(0, n).join(' ')}`.trimEnd())) {
      return r.stdout
    }
  }
  return ''
}

test('every npx wxcoupon command in the docs exists, with the options it is given', {
  timeout: 180_000,
}, async () => {
  const found = ALL.filter((b) => ['parse', 'run', 'ci-workflow'].includes(b.check)).flatMap((b) =>
    commands(b.code).map((c) => ({ ...c, where: `${b.file}:${b.line}` })),
  )
  assert.ok(found.length >= 30, `found ${found.length} commands`)
  // Asked two at a time: each is a process of its own.
  const texts: string[] = []
  for (let i = 0; i < found.length; i += 2) {
    texts.push(...(await Promise.all(found.slice(i, i + 2).map((c) => helpOf(c.words)))))
  }
  for (const [i, c] of found.entries()) {
    if (c.words.length === 0) continue
    const help = texts[i] ?? ''
    assert.ok(help, `${c.where}: wxcoupon ${c.words.join(' ')} is not a command`)
    for (const flag of c.flags) {
      assert.ok(
        help.includes(`${flag} `) || help.includes(`${flag},`) || help.includes(`${flag}\n`),
        `${c.where}: wxcoupon ${c.words.join(' ')} has no ${flag}`,
      )
    }
  }
})

test('the CI workflow starts the sandbox and waits for /healthz', {
  timeout: 120_000,
}, async () => {
  const ci = ALL.find((b) => b.check === 'ci-workflow')
  assert.ok(ci)
  const lines = ci.code.split('\n')
  const start = lines.findIndex((l) => l.includes('name: Start the WeChat Pay sandbox'))
  const body: string[] = []
  for (const l of lines.slice(start + 2)) {
    if (!l.startsWith('          ')) break
    body.push(l.trim())
  }
  const port = String(40_000 + Math.floor(Math.random() * 20_000))
  const dir = mkdtempSync(join(tmpdir(), 'wxcoupon-ci-'))
  let child: ChildProcess | undefined
  try {
    const script = `${SHIM}${body.join('\n').replaceAll('8080', port)}\n`
    child = spawn('bash', ['-c', script], { cwd: dir, stdio: 'ignore' })
    const code = await new Promise<number | null>((resolve) => child?.on('exit', resolve))
    assert.equal(code, 0)
    const res = await fetch(`http://127.0.0.1:${port}/healthz`)
    assert.equal(res.status, 200, 'the sandbox answers once the step is done')
  } finally {
    const lock = JSON.parse(readFileSync(join(dir, '.wxcoupon', 'serve.lock'), 'utf8')) as {
      pid: number
    }
    process.kill(lock.pid, 'SIGTERM')
    await new Promise((r) => setTimeout(r, 500))
    rmSync(dir, { recursive: true, force: true })
  }
})
