import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"

/** Coordinates the calls of one client, so concurrent calls act as one polite caller. */
export interface Gate {
  /** Waits until the client may send (cooldown, then rate), holding a concurrency permit while it sends. */
  readonly send: <A, E>(attempt: Effect.Effect<A, E>) => Effect.Effect<A, E>
  /** A server asked to wait: no call of this client sends before `millis` from now. */
  readonly cooldown: (millis: number) => Effect.Effect<void>
  /** Whether a call at `now` (epoch milliseconds) would be let through at once: no limit, no cooldown. */
  readonly idle: (now: number) => boolean
}

export interface Options {
  /** Requests per second at most, spaced evenly; none when undefined. */
  readonly requestsPerSecond?: number | undefined
  /** Requests in flight at most; unbounded when undefined. */
  readonly maxConcurrency?: number | undefined
}

export const make = (options: Options): Effect.Effect<Gate> =>
  Effect.gen(function*() {
    const interval = options.requestsPerSecond === undefined ? 0 : 1000 / options.requestsPerSecond
    const semaphore = options.maxConcurrency === undefined
      ? undefined
      : yield* Effect.makeSemaphore(options.maxConcurrency)
    /** Epoch milliseconds before which nobody sends (0: no cooldown was ever asked for). */
    let notBefore = 0
    /** The next free slot of the request rate, in epoch milliseconds. */
    let nextSlot = 0

    const waitCooldown: Effect.Effect<void> = Effect.suspend(() =>
      notBefore === 0 ?
        Effect.void :
        Effect.flatMap(
          Clock.currentTimeMillis,
          (now) => notBefore > now ? Effect.zipRight(Effect.sleep(notBefore - now), waitCooldown) : Effect.void
        )
    )

    const waitRate: Effect.Effect<void> = Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const slot = Math.max(now, nextSlot)
      nextSlot = slot + interval
      return slot > now ? Effect.sleep(slot - now) : Effect.void
    })

    const wait = interval === 0 ? waitCooldown : Effect.zipRight(waitCooldown, waitRate)
    /** No rate and no concurrency limit: only a cooldown can hold a call. */
    const unlimited = semaphore === undefined && interval === 0

    return {
      send: (attempt) => {
        // The common case, nothing to wait for and no limit, adds nothing to the attempt.
        if (unlimited && notBefore === 0) return attempt
        const gated = Effect.zipRight(wait, attempt)
        return semaphore === undefined ? gated : semaphore.withPermits(1)(gated)
      },
      cooldown: (millis) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          notBefore = Math.max(notBefore, now + millis)
        }),
      idle: (now) => unlimited && notBefore <= now
    }
  })
