import { readFile } from 'node:fs/promises'
import { Compile } from 'typebox/compile'
import { type BehaviourSettings, behaviour } from '../domain/settings.ts'
import { BehaviourOverrides } from '../domain/settings-schema.ts'

const check = Compile(BehaviourOverrides)

/** Reads `--settings <file>`: JSON overrides of the defaults, validated before the server starts. */
export async function loadSettings(file: string | undefined): Promise<BehaviourSettings> {
  if (file === undefined) return behaviour()
  let value: unknown
  try {
    value = JSON.parse(await readFile(file, 'utf8'))
  } catch (e) {
    throw new Error(`cannot read settings file ${file}: ${(e as Error).message}`)
  }
  if (!check.Check(value)) {
    const first = [...check.Errors(value)][0]
    throw new Error(
      `settings file ${file}: ${first?.instancePath || '/'} ${first?.message ?? 'is invalid'}`,
    )
  }
  return behaviour(value as Partial<BehaviourSettings>)
}
