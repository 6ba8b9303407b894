import type { FastifySchemaCompiler } from 'fastify'
import type { TSchema } from 'typebox'
import { Compile } from 'typebox/compile'

/**
 * Validation by the TypeBox compiler with no coercion and no stripping: `"7"` is not `7`, and
 * unknown members stay (and are ignored) instead of silently disappearing.
 */
export const strictValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema }) => {
  const check = Compile(schema)
  return (value: unknown) =>
    check.Check(value) ? { value } : { error: [...check.Errors(value)] as never }
}
