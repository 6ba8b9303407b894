import {
  OPERATION_NAMES,
  OPERATIONS,
  type OperationName,
  operationPath,
} from '../../packages/sdk/src/schemas/operations.ts'

/**
 * Which operation of the table a request reaches (method + request-target), by the same path
 * templates the server registers. Test suites that build requests by hand check themselves
 * against it, so their endpoint lists cannot drift from the table.
 */
const MATCHERS = OPERATION_NAMES.map((name) => {
  const op = OPERATIONS[name]
  const pattern = operationPath(op).replace(/\{\w+\}/g, '[^/?]+')
  return { name, method: op.method as string, re: new RegExp(`^${pattern}(\\?|$)`) }
})

export function operationOf(method: string, target: string): OperationName | undefined {
  return MATCHERS.find((m) => m.method === method && m.re.test(target))?.name
}
