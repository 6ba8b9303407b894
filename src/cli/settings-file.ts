import { readFile } from 'node:fs/promises'
import { type BehaviourSettings, behaviour } from '../domain/settings.ts'
import { checkOverrides } from '../domain/settings-schema.ts'

/** Reads `--settings <file>`: JSON overrides of the defaults, validated before the server starts. */
export async function loadSettings(file: string | undefined): Promise<BehaviourSettings> {
  if (file === undefined) return behaviour()
  let value: unknown
  try {
    value = JSON.parse(await readFile(file, 'utf8'))
  } catch (e) {
    throw new Error(`cannot read settings file ${file}: ${(e as Error).message}`)
  }
  return behaviour(checkOverrides(value, `settings file ${file}`) as Partial<BehaviourSettings>)
}
