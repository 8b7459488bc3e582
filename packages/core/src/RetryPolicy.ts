/**
 * When and how long to wait before retrying `register_pds`, as an Effect `Schedule`.
 *
 * Retried: what `Outcome.isRetryable` says (429, 408, 500, 502, 503, 504, network errors and per-attempt
 * timeouts); nothing else.
 * The server's hint is used exactly when present (`retry-after-ms`, then `Retry-After` as seconds or an
 * HTTP-date); otherwise exponential backoff with jitter. A hint above `maxRetryAfter` is not waited for.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import type { HeroError } from "./HeroError.js"
import * as Outcome from "./Outcome.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly maxRetries: number
  /** The first backoff delay, doubled on each retry. */
  readonly initialDelay: Duration.Duration
  /** The largest backoff delay. */
  readonly maxDelay: Duration.Duration
  /** The largest server hint that is waited for; a longer one fails at once. */
  readonly maxRetryAfter: Duration.Duration
  /** Whether backoff delays are spread randomly (by 0.8x to 1.2x, still capped at `maxDelay`). */
  readonly jitter: boolean
}

/**
 * Hero's guide: 3 retries, backoff from 500 ms doubling to 8 s, hints up to 60 s honoured.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaults: RetryPolicy = {
  maxRetries: 3,
  initialDelay: Duration.millis(500),
  maxDelay: Duration.seconds(8),
  maxRetryAfter: Duration.seconds(60),
  jitter: true
}

/**
 * The wait the server asked for, in milliseconds, if the failure carries one.
 *
 * @since 0.1.0
 */
export const hintOf = (error: HeroError): number | undefined =>
  error._tag === "RateLimited" || error._tag === "ServerError" ? error.retryAfter : undefined

const deltaSeconds = /^\s*\d+\s*$/
const milliseconds = /^\s*\d+(\.\d+)?\s*$/
/** All three HTTP-date forms (IMF-fixdate, RFC 850, asctime) start with the day of the week. */
const httpDate = /^\s*(Mon|Tue|Wed|Thu|Fri|Sat|Sun)/

/**
 * Reads a server's wait hint from response headers, in milliseconds: `retry-after-ms` first, then
 * `Retry-After` as delta-seconds or as an HTTP-date (relative to `now`, in epoch milliseconds).
 * Anything unreadable is ignored.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseRetryAfter = (
  header: (name: string) => string | undefined,
  now: number
): Option.Option<number> => {
  const ms = header("retry-after-ms")
  if (ms !== undefined && milliseconds.test(ms)) return Option.some(Math.ceil(Number(ms)))
  const value = header("retry-after")
  if (value === undefined) return Option.none()
  if (deltaSeconds.test(value)) return Option.some(Number(value) * 1000)
  const date = httpDate.test(value) ? Date.parse(value) : Number.NaN
  return Number.isNaN(date) ? Option.none() : Option.some(Math.max(0, date - now))
}

/**
 * The backoff delay before retry number `retry` (0-based), before jitter: `initialDelay * 2^retry`,
 * capped at `maxDelay`.
 *
 * @since 0.1.0
 */
export const backoff = (policy: RetryPolicy, retry: number): Duration.Duration =>
  Duration.min(Duration.times(policy.initialDelay, 2 ** retry), policy.maxDelay)

/**
 * Whether the policy retries this failure after `retry` retries (0-based) already made.
 *
 * @since 0.1.0
 * @category predicates
 */
export const shouldRetry = (policy: RetryPolicy, error: HeroError, retry: number): boolean => {
  if (retry >= policy.maxRetries || !Outcome.isRetryable(error)) return false
  const hint = hintOf(error)
  return hint === undefined || hint <= Duration.toMillis(policy.maxRetryAfter)
}

const delay = (policy: RetryPolicy, error: HeroError, retry: number): Effect.Effect<Duration.Duration> => {
  const hint = hintOf(error)
  if (hint !== undefined) return Effect.succeed(Duration.millis(hint))
  const base = backoff(policy, retry)
  return policy.jitter
    ? Effect.map(Random.nextRange(0.8, 1.2), (factor) => Duration.min(Duration.times(base, factor), policy.maxDelay))
    : Effect.succeed(base)
}

/**
 * The retry schedule: fed each failure, it recurs while `shouldRetry` holds, after the server's hint or
 * the backoff delay. Use it with `Effect.retry`; test it under `TestClock`.
 *
 * @since 0.1.0
 * @category schedules
 */
export const schedule = (policy: RetryPolicy): Schedule.Schedule<[HeroError, number], HeroError> =>
  Schedule.identity<HeroError>().pipe(
    Schedule.intersect(Schedule.count),
    Schedule.whileOutput(([error, retry]) => shouldRetry(policy, error, retry)),
    Schedule.addDelayEffect(([error, retry]) => delay(policy, error, retry))
  )
