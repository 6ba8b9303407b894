import { isOperationName, OPERATION_NAMES } from '@wxcoupon/sdk/schemas'
import { type Static, Type } from 'typebox'
import { Compile } from 'typebox/compile'

/**
 * A settings file for `wxcoupon serve --settings <file>`: any subset of the behaviour settings
 * (the answers to the spec's open questions). Unknown keys are refused, so a typo cannot
 * silently leave a default in place; so are rate-limit overrides of operations the operation
 * table does not have (the limit would never apply). `rateLimits` takes any subset of its keys,
 * the defaults filling the rest (settings.ts `behaviour`).
 */
export const BehaviourOverrides = Type.Object(
  {
    keepUseInfoAfterReturn: Type.Optional(Type.Boolean()),
    sequentialReturnPolicy: Type.Optional(Type.Enum(['lifo', 'any-used'])),
    detailListMode: Type.Optional(Type.Enum(['all', 'unlocked'])),
    indexMisuseError: Type.Optional(Type.Enum(['INVALID_REQUEST', 'PARAM_ERROR'])),
    returnAfterExpiry: Type.Optional(Type.Enum(['reject', 'allow'])),
    replayResponse: Type.Optional(Type.Enum(['current', 'snapshot'])),
    createConflictError: Type.Optional(Type.Enum(['ALREADY_EXISTS', 'INVALID_REQUEST'])),
    displayNameLength: Type.Optional(
      Type.Object(
        {
          min: Type.Integer({ minimum: 1, maximum: 20 }),
          max: Type.Integer({ minimum: 1, maximum: 20 }),
        },
        { additionalProperties: false },
      ),
    ),
    approval: Type.Optional(Type.Enum(['on_create', 'manual'])),
    notify: Type.Optional(
      Type.Object(
        {
          schedule: Type.Enum(['standard', 'fast']),
          timeoutMs: Type.Integer({ minimum: 100, maximum: 60_000 }),
          allowPrivateNetworks: Type.Boolean(),
          emitUseReturnEvents: Type.Boolean(),
        },
        { additionalProperties: false },
      ),
    ),
    revision: Type.Optional(Type.Enum(['2025-08', '2025-11'])),
    rateLimits: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(Type.Boolean()),
          per: Type.Optional(Type.Enum(['brand', 'partner'])),
          overrides: Type.Optional(
            Type.Record(
              Type.String({ pattern: '^[a-z_]+$' }),
              Type.Object(
                {
                  limit: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
                  perSeconds: Type.Integer({ minimum: 1, maximum: 86_400 }),
                },
                { additionalProperties: false },
              ),
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)
export type BehaviourOverrides = Static<typeof BehaviourOverrides>

const check = Compile(BehaviourOverrides)

/**
 * Checks overrides of the behaviour settings (a `--settings` file, `startSandbox({ settings })`);
 * the error names the key at fault and what it may be: the keys allowed where an unknown one
 * stands, the values allowed where a wrong one does.
 */
export function checkOverrides(value: unknown, source: string): BehaviourOverrides {
  if (check.Check(value)) {
    const unknown = Object.keys(value.rateLimits?.overrides ?? {}).find((k) => !isOperationName(k))
    if (unknown !== undefined) {
      throw new Error(
        `${source}: /rateLimits/overrides/${unknown} is not an operation; operations: ${OPERATION_NAMES.join(', ')}`,
      )
    }
    return value
  }
  const first = [...check.Errors(value)][0]
  const path = first?.instancePath ?? ''
  const keys = path.split('/').slice(1)
  const at = schemaAt(keys)
  const parent = schemaAt(keys.slice(0, -1))
  let allowed = ''
  if (at === undefined && parent?.properties) {
    allowed = `; allowed keys: ${Object.keys(parent.properties).join(', ')}`
  } else if (Array.isArray(at?.enum)) {
    allowed = `; allowed values: ${at.enum.map((v) => JSON.stringify(v)).join(', ')}`
  }
  const what =
    at === undefined && keys.length > 0 ? 'is not a setting' : (first?.message ?? 'is invalid')
  throw new Error(`${source}: ${path || '/'} ${what}${allowed}`)
}

interface SchemaNode {
  properties?: Record<string, SchemaNode>
  enum?: unknown[]
  patternProperties?: Record<string, SchemaNode>
}

function schemaAt(keys: string[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = BehaviourOverrides as unknown as SchemaNode
  for (const k of keys) {
    if (!node) return undefined
    node = node.properties?.[k] ?? Object.values(node.patternProperties ?? {})[0]
  }
  return node
}
