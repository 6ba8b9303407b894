/**
 * A linearizability checker (Wing & Gong search with memoisation): is there a total order of
 * the operations, consistent with real time (an operation that completed before another was
 * invoked comes first), in which a sequential model produces every observed output?
 * Histories here are small (a dozen operations per coupon), so exhaustive search is cheap.
 */
export interface HistoryOp<I, O> {
  input: I
  output: O
  /** performance.now() when the request was sent and when its answer arrived. */
  invokedAt: number
  completedAt: number
}

export interface Model<S, I, O> {
  init: S
  step(state: S, input: I): { state: S; output: O }
  key(state: S): string
  same(a: O, b: O): boolean
}

export function isLinearizable<S, I, O>(
  model: Model<S, I, O>,
  history: HistoryOp<I, O>[],
): boolean {
  if (history.length > 30) throw new Error('history too long for exhaustive search')
  const seen = new Set<string>()
  const search = (done: number, state: S): boolean => {
    if (done === (1 << history.length) - 1) return true
    const memo = `${done}|${model.key(state)}`
    if (seen.has(memo)) return false
    seen.add(memo)
    // Whatever is pending and completed earliest bounds which operations may go next.
    let horizon = Number.POSITIVE_INFINITY
    history.forEach((op, i) => {
      if (!(done & (1 << i))) horizon = Math.min(horizon, op.completedAt)
    })
    for (let i = 0; i < history.length; i++) {
      const op = history[i] as HistoryOp<I, O>
      if (done & (1 << i) || op.invokedAt > horizon) continue
      const next = model.step(state, op.input)
      if (model.same(next.output, op.output) && search(done | (1 << i), next.state)) return true
    }
    return false
  }
  return search(0, model.init)
}
