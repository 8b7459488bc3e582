import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/** How fast tokens come back and how many a bucket holds. */
export interface Rate {
  readonly requestsPerSecond: number
  readonly burst: number
}

interface Bucket {
  readonly tokens: number
  readonly at: number
}

/**
 * One token bucket per key, timed by Effect's `Clock`. `take(key)` spends a token, or answers how many
 * whole seconds (at least 1) to wait until one is back.
 */
export const make = ({ burst, requestsPerSecond }: Rate) => {
  const buckets = new Map<string, Bucket>()
  return (key: string): Effect.Effect<Option.Option<number>> =>
    Effect.map(Clock.currentTimeMillis, (now) => {
      const bucket = buckets.get(key) ?? { tokens: burst, at: now }
      const tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * requestsPerSecond)
      const allowed = tokens >= 1
      buckets.set(key, { tokens: allowed ? tokens - 1 : tokens, at: now })
      return allowed ? Option.none() : Option.some(Math.max(1, Math.ceil((1 - tokens) / requestsPerSecond)))
    })
}
