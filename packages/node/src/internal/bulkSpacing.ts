/**
 * How bulk's requests are spaced on the wire, for a server that allows `rate` requests per second: no attempt
 * (retries included) leaves less than the server's interval after the one before, by the precise clock (timers round
 * to whole milliseconds and may fire early).
 *
 * A server with no burst allowance refuses a request that arrives even a millisecond early, and the way to it varies
 * by a few milliseconds: an even spacing is not enough there. Strictly spaced, an attempt also waits for the answer
 * to the one before (one more interval at most) and leaves an interval after that answer, less the quickest answer
 * seen: a request slow to reach the server holds back the next one, which then cannot arrive early. Spacing is
 * strict while the first answers come, with nothing taken off the interval (connections and code are cold on both
 * sides, and the quickest answer is not known yet; the wait for the very first one has no limit), then after a 429;
 * both only while the server answers within an interval. Timed by Effect's `Clock`, so it runs under `TestClock`.
 */
import type * as HeroTransport from "@hero-pds/core/HeroTransport"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"

/** Answers while spacing is strict, nothing taken off the interval. */
export const warmUp = 20

/** The clock in fractional milliseconds. */
const preciseNow = Effect.map(Clock.currentTimeNanos, (nanos) => Number(nanos) / 1e6)

/** The next turn of the event loop, after pending I/O. */
const nextTurn = Effect.async<void>((resume) => {
  const immediate = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(immediate))
})

/** Sleeps until `due` by the precise clock, the last millisecond turn by turn of the event loop; when it woke. */
const sleepUntil = (due: number): Effect.Effect<number> =>
  Effect.flatMap(preciseNow, (now) =>
    now >= due
      ? Effect.succeed(now)
      : Effect.zipRight(due - now >= 1 ? Effect.sleep(Math.floor(due - now)) : nextTurn, sleepUntil(due)))

/** When an attempt left, and whether it was strictly spaced. */
interface Turn {
  readonly sentAt: number
  readonly strictly: boolean
}

/**
 * `transport`, its attempts spaced for a server allowing `rate` requests per second. `tooFast` runs on each 429 to an
 * attempt that was strictly spaced: then the rate itself is too high (the first 429 otherwise only makes spacing
 * strict).
 */
export const make = (
  rate: number,
  transport: HeroTransport.Service,
  tooFast: Effect.Effect<void>
): Effect.Effect<HeroTransport.Service> =>
  Effect.gen(function*() {
    const interval = 1000 / rate
    const turn = yield* Effect.makeSemaphore(1)
    /** When the last attempt left, and when it was answered (or failed). */
    let lastSent = Number.NEGATIVE_INFINITY
    let answered = yield* Deferred.make<number>()
    yield* Deferred.succeed(answered, Number.NEGATIVE_INFINITY)
    /** The quickest answer seen, in milliseconds. */
    let quickest = Number.POSITIVE_INFINITY
    let answers = 0
    let rateLimited = false

    const answerBy = (deadline: number) =>
      Effect.race(Effect.map(Deferred.await(answered), Option.some), Effect.as(sleepUntil(deadline), Option.none()))

    /** Waits for the turn of the attempt whose answer is `mine`; when it left, and whether strictly spaced. */
    const waitTurn = (mine: Deferred.Deferred<number>): Effect.Effect<Turn> =>
      turn.withPermits(1)(Effect.gen(function*() {
        let due = lastSent + interval
        const known = answers > 0
        const warm = answers >= warmUp
        // The first answer met a cold connection: whether the server answers within an interval shows from the second.
        const near = answers < 2 || quickest < interval
        const strictly = !known || (near && (!warm || rateLimited))
        if (strictly) {
          const answer = yield* (known ? answerBy(due + interval) : Effect.map(Deferred.await(answered), Option.some))
          if (Option.isSome(answer)) due = Math.max(due, answer.value + interval - (warm ? quickest : 0))
        }
        lastSent = yield* sleepUntil(due)
        answered = mine
        return { sentAt: lastSent, strictly }
      }))

    /** The attempt whose answer is `mine` ended: learn from its answer, then give it to the next attempt. */
    const ended = (
      mine: Deferred.Deferred<number>,
      exit: Exit.Exit<Turn & { readonly response: HeroTransport.Response }, unknown>
    ) =>
      Effect.flatMap(preciseNow, (now) => {
        if (Exit.isFailure(exit)) return Deferred.succeed(mine, now)
        const { response, sentAt, strictly } = exit.value
        quickest = Math.min(quickest, now - sentAt)
        answers++
        rateLimited ||= response.status === 429
        return Effect.zipRight(
          Deferred.succeed(mine, now),
          response.status === 429 && strictly ? tooFast : Effect.void
        )
      })

    return {
      send: (request) =>
        Effect.flatMap(Deferred.make<number>(), (mine) => {
          const attempt = Effect.flatMap(
            waitTurn(mine),
            (turn) => Effect.map(transport.send(request), (response) => ({ ...turn, response }))
          )
          return Effect.map(Effect.onExit(attempt, (exit) => ended(mine, exit)), ({ response }) => response)
        })
    }
  })
