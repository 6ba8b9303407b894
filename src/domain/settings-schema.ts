import { type Static, Type } from 'typebox'

/**
 * A settings file for `wxcoupon serve --settings <file>`: any subset of the behaviour settings
 * (the answers to the spec's open questions). Unknown keys are refused, so a typo cannot
 * silently leave a default in place.
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
    rateLimits: Type.Optional(
      Type.Object(
        {
          enabled: Type.Boolean(),
          per: Type.Enum(['brand', 'partner']),
          overrides: Type.Record(
            Type.String({ pattern: '^[a-z_]+$' }),
            Type.Object(
              {
                limit: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
                perSeconds: Type.Integer({ minimum: 1, maximum: 86_400 }),
              },
              { additionalProperties: false },
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
