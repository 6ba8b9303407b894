import { readFile } from 'node:fs/promises'
import { parseStrictJson } from '@wxcoupon/sdk/protocol'
import { type BehaviourSettings, behaviour } from '../domain/settings.ts'
import { checkOverrides } from '../domain/settings-schema.ts'

/**
 * Reads `--settings <file>`: JSON overrides of the defaults, validated before the server starts.
 * Parsed as strictly as request bodies: a key given twice is refused rather than the last one
 * silently winning.
 */
export async function loadSettings(file: string | undefined): Promise<BehaviourSettings> {
  if (file === undefined) return behaviour()
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (e) {
    throw new Error(`cannot read settings file ${file}: ${(e as Error).message}`)
  }
  const parsed = parseStrictJson(text, { maxDepth: 16 })
  if (!parsed.ok) {
    const what = parsed.issue === 'duplicate_key' ? 'a key given twice' : parsed.issue
    throw new Error(
      `cannot read settings file ${file}: ${what} at ${parsed.pointer || '/'} (character ${parsed.position})`,
    )
  }
  return behaviour(checkOverrides(parsed.value, `settings file ${file}`))
}
