/**
 * How bulk's requests are spaced on the wire, for a server that allows `rate` requests per second: no attempt
 * (retries included) leaves less than the server's interval after the one before, by the precise clock (timers round
 * to whole milliseconds and may fire early). Timed by Effect's `Clock`, so it runs under `TestClock`.
 */
import type * as HeroTransport from "@hero-pds/core/HeroTransport"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"

/** The clock in fractional milliseconds. */
const preciseNow = Effect.map(Clock.currentTimeNanos, (nanos) => Number(nanos) / 1e6)

/** Sleeps until `due` by the precise clock; when it woke. */
const sleepUntil = (due: number): Effect.Effect<number> =>
  Effect.flatMap(
    preciseNow,
    (now) => (now >= due ? Effect.succeed(now) : Effect.zipRight(Effect.sleep(Math.ceil(due - now)), sleepUntil(due)))
  )

/** `transport`, its attempts spaced for a server allowing `rate` requests per second; `tooFast` runs on each 429. */
export const make = (
  rate: number,
  transport: HeroTransport.Service,
  tooFast: Effect.Effect<void>
): Effect.Effect<HeroTransport.Service> =>
  Effect.map(Effect.makeSemaphore(1), (turn) => {
    const interval = 1000 / rate
    /** When the last attempt left. */
    let lastSent = Number.NEGATIVE_INFINITY
    const waitTurn = turn.withPermits(1)(Effect.suspend(() =>
      Effect.map(sleepUntil(lastSent + interval), (now) => {
        lastSent = now
      })
    ))
    return {
      send: (request) =>
        Effect.zipRight(
          waitTurn,
          Effect.tap(transport.send(request), (response) => (response.status === 429 ? tooFast : Effect.void))
        )
    }
  })
