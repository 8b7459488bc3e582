/**
 * How fast bulk sends. With a rate, calls start on an even schedule a small margin under it (how close two requests
 * may be on the wire is `bulkSpacing`'s business); with no fixed concurrency, the calls in flight follow the measured
 * latency (enough to keep up the rate, within a cap). A 429 backs off like TCP: the pace drops by a factor and one
 * call is in flight; both recover step by step as calls succeed. Timed by Effect's `Clock`, so it runs under
 * `TestClock`.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"

/** Rows in flight at once when neither a rate nor a concurrency is given. */
export const defaultConcurrency = 4

/** The most calls in flight that latency-following may reach. */
export const maxAdaptiveConcurrency = 64

/** The share of the rate kept unused, so a server's clock and ours may disagree a little without a 429. */
export const margin = 0.02

/** The most requests per second sent for a `rate`: a {@link margin} under it. The client paces its own retries at
 * this rate too, so calls waiting out a cooldown do not leave together. */
export const pacedRate = (rate: number): number => rate * (1 - margin)

/** The pace after a 429 is this share of what it was (at least {@link minPaceShare} of the rate). */
export const decrease = 0.8
const minPaceShare = 0.25
/** Per second of calls at the pace, the share of the rate it recovers by. */
const recoveryPerSecond = 0.02
/** Calls in flight per call a second of latency, beyond the bare need (latency varies). */
const headroom = 1.5
/** Weight of each new latency sample. */
const smoothing = 0.2

/** How to pace. */
export interface Options {
  /** Requests per second at most; no pacing when undefined. */
  readonly rate?: number | undefined
  /** Calls in flight at once; when undefined, follows the latency if there is a rate, else {@link defaultConcurrency}. */
  readonly concurrency?: number | undefined
}

/** What a throttle is doing now. */
export interface State {
  /** Calls allowed in flight. */
  readonly window: number
  /** Calls per second it paces at (`Infinity` with no rate). */
  readonly pace: number
  /** The smoothed latency of a call, in milliseconds. */
  readonly latencyMs: number
}

/** Paces calls and bounds how many are in flight. */
export interface Throttle {
  /** Runs a call once there is room in flight and its turn at the pace has come, measuring how long it takes. */
  readonly run: <A, E, R>(call: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** The server answered 429: back off. */
  readonly rateLimited: Effect.Effect<void>
  /** The most calls that can ever be in flight (for sizing what waits for a place). */
  readonly maxWindow: number
  readonly state: Effect.Effect<State>
}

/** A throttle for these options. */
export const make = (options: Options): Effect.Effect<Throttle> =>
  Effect.gen(function*() {
    const rate = options.rate
    const adaptive = rate !== undefined && options.concurrency === undefined
    const maxWindow = options.concurrency ?? (adaptive ? maxAdaptiveConcurrency : defaultConcurrency)
    /** The pace as a share of the rate, before the margin: lowered by a 429, recovering as calls succeed. */
    let share = 1
    let lastDecrease = Number.NEGATIVE_INFINITY
    /** With latency-following, the window's ceiling after a 429, raised by one per success. */
    let ceiling = maxWindow
    let latencyMs = 0
    let window = adaptive ? Math.min(defaultConcurrency, maxWindow) : maxWindow
    /** When the previous call was due to start (milliseconds, fractional). */
    let lastDue = Number.NEGATIVE_INFINITY

    const permits = yield* Effect.makeSemaphore(window)
    const turn = yield* Effect.makeSemaphore(1)
    const pace = () => (rate === undefined ? Infinity : pacedRate(rate) * share)

    const resize = Effect.suspend(() => {
      if (!adaptive) return Effect.void
      const wanted = Math.ceil((pace() * latencyMs * headroom) / 1000) + 1
      const next = Math.max(1, Math.min(maxWindow, ceiling, wanted))
      if (next === window) return Effect.void
      window = next
      return permits.resize(next)
    })

    /** Waits for this call's slot on the schedule (a late one does not push back the next). */
    const waitTurn: Effect.Effect<void> = rate === undefined ? Effect.void : turn.withPermits(1)(
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const due = Math.max(now, lastDue + 1000 / pace())
        lastDue = due
        return due > now ? Effect.sleep(due - now) : Effect.void
      })
    )

    const settled = (started: number) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const sample = now - started
        latencyMs = latencyMs === 0 ? sample : latencyMs + smoothing * (sample - latencyMs)
        if (rate !== undefined) share = Math.min(1, share + recoveryPerSecond / Math.max(1, pace()))
        if (ceiling < maxWindow) ceiling++
        return resize
      })

    return {
      maxWindow,
      run: (call) =>
        permits.withPermits(1)(
          Effect.zipRight(
            waitTurn,
            Effect.flatMap(Clock.currentTimeMillis, (started) => Effect.zipLeft(call, settled(started)))
          )
        ),
      rateLimited: Effect.flatMap(Clock.currentTimeMillis, (now) => {
        // One decrease per second: the calls in flight when it happened answer 429 together.
        if (rate === undefined || now - lastDecrease < 1000) return Effect.void
        lastDecrease = now
        share = Math.max(minPaceShare, share * decrease)
        ceiling = 1
        return resize
      }),
      state: Effect.sync(() => ({ window, pace: pace(), latencyMs }))
    }
  })
