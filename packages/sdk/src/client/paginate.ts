import { ApiError } from './errors.ts'

/**
 * Walks a paged list, stripe-node autoPagination style: one ordinary (signed, verified,
 * retried) request per page, until an answer carries no next_page_token.
 */
export async function* paginate<R extends { next_page_token?: string }, T>(
  fetchPage: (page: { page_token?: string }) => Promise<R>,
  items: (answer: R) => readonly T[],
): AsyncGenerator<T, void, undefined> {
  let token: string | undefined
  do {
    const answer = await fetchPage(token === undefined ? {} : { page_token: token })
    yield* items(answer)
    const next = answer.next_page_token
    // Handing back the token just sent would make this loop forever; surface it instead.
    if (next !== undefined && next === token) {
      throw new ApiError({ message: 'next_page_token repeats the page_token of its request' })
    }
    token = next
  } while (token !== undefined)
}
