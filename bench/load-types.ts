/** What the bench's processes pass each other: a load job, its requests, its result. */

export interface LoadJob {
  /** Servers sharing the load: connection i (or, paced, request i) goes to urls[i % n]. */
  urls: string[]
  /** JSON lines of PresignedRequest. */
  file: string
  connections: number
  warmupSeconds: number
  durationSeconds: number
  /** Offered load, paced evenly (bench/paced.ts); absent = as fast as the connections go. */
  rate?: number
}

export interface PresignedRequest {
  method: 'GET' | 'POST'
  path: string
  headers: Record<string, string>
  body?: string
}

export interface LoadResult {
  requests: number
  seconds: number
  rps: number
  p50: number
  p99: number
  max: number
  /** Connection errors and timeouts. */
  errors: number
  /** Responses other than 2xx, by status. */
  non2xx: Record<string, number>
  /** The request file ran out and was reused from the start (a figure to distrust). */
  wrapped: boolean
  /** Responses of the whole load, warm-up included (the denominator of CPU per request). */
  answered: number
}
