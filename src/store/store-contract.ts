import { concurrencyContract } from './contract/concurrency.fixture.ts'
import { countersContract } from './contract/counters.fixture.ts'
import { outboxContract } from './contract/outbox.fixture.ts'
import { recordsContract } from './contract/records.fixture.ts'
import { contractPart } from './contract/suite.fixture.ts'
import { trustContract } from './contract/trust.fixture.ts'
import type { Store } from './store.ts'

/**
 * The behaviour every Store must have. Each implementation's test file calls this with a
 * factory for a fresh, empty store; a skip must name its reason. The parts live in contract/.
 */
export function storeContract(
  name: string,
  open: () => Promise<Store>,
  skip: { reason: string; tests: string[] }[] = [],
): void {
  const skipped = new Map(skip.flatMap((s) => s.tests.map((t) => [t, s.reason] as const)))
  const target = { name, open, skipped }
  contractPart(target, 'records', recordsContract)
  contractPart(target, 'outbox', outboxContract)
  contractPart(target, 'rate counters', countersContract)
  contractPart(target, 'concurrency', concurrencyContract)
  contractPart(target, 'platform trust', trustContract)
}
