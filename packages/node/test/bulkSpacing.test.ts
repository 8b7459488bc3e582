import { describe, expect, it } from "@effect/vitest"
import type * as HeroTransport from "@hero-pds/core/HeroTransport"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import * as Spacing from "../src/internal/bulkSpacing.js"

const request: HeroTransport.Request = { url: "http://127.0.0.1/", headers: {}, body: "{}", timeout: 10_000 }

type Answer = (n: number) => { readonly latency: number; readonly status?: number }

/**
 * Sends `count` attempts at once, spaced for 50 requests per second (an interval of 20 ms), to a server answering
 * attempt `n` (from 0) after `answer(n).latency` ms with `answer(n).status` (default 200). When each left (ms from the
 * start), and how many 429s were taken for a rate too high.
 */
const sendAll = (answer: Answer, count: number) =>
  Effect.gen(function*() {
    const start = yield* Clock.currentTimeMillis
    const departures: Array<number> = []
    let tooFast = 0
    const transport: HeroTransport.Service = {
      send: () =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => {
          const { latency, status = 200 } = answer(departures.push(now - start) - 1)
          return Effect.as(Effect.sleep(latency), { status, headers: {}, body: "{}" })
        })
    }
    const spaced = yield* Spacing.make(50, transport, Effect.sync(() => tooFast++))
    yield* Effect.fork(
      Effect.forEach(Array.from({ length: count }), () => spaced.send(request), { concurrency: "unbounded" })
    )
    yield* TestClock.adjust("10 seconds")
    return { departures, tooFast }
  })

/** How many attempts are sent while spacing is strict at first. */
const warm = Spacing.warmUp + 1

describe("bulk's spacing on the wire", () => {
  it.effect("sends the first attempt alone, then none less than the server's interval after the one before", () =>
    Effect.gen(function*() {
      // A server further than an interval: the second attempt waits for the first answer however long it takes (50
      // ms), then an interval. The first answer met a cold connection: until the second (at 120 ms), each waits for
      // the one before one more interval at most; then one leaves every interval.
      const far = yield* sendAll(() => ({ latency: 50 }), 6)
      expect(far.departures).toEqual([0, 70, 110, 150, 170, 190])
    }))

  it.effect("while the first answers come, sends each attempt an interval after the answer to the one before", () =>
    Effect.gen(function*() {
      const near = yield* sendAll(() => ({ latency: 5 }), warm + 2)
      expect(near.departures.slice(0, 3)).toEqual([0, 25, 50])
      // Then one every interval.
      expect(near.departures.slice(warm - 2)).toEqual([475, 500, 520, 540])
    }))

  it.effect("after a 429, while the server answers within an interval, waits for each answer", () =>
    Effect.gen(function*() {
      // After the first answers, one is refused; the next is slow to answer (9 ms, the quickest being 2 ms).
      const latency = (n: number) => (n === warm + 1 ? 9 : 2)
      const refused = yield* sendAll((n) => ({ latency: latency(n), status: n === warm ? 429 : 200 }), warm + 4)
      // The one after the slow answer (at 489 ms) leaves an interval after it less the quickest answer: 507, not 500.
      expect(refused.departures.slice(warm - 1)).toEqual([440, 460, 480, 507, 527])
      // Without a 429, a slow answer does not hold back the next attempt.
      const fine = yield* sendAll((n) => ({ latency: latency(n) }), warm + 4)
      expect(fine.departures.slice(warm - 1)).toEqual([440, 460, 480, 500, 520])
    }))

  it.effect("strictly spaced, waits for a slow answer one more interval at most", () =>
    Effect.gen(function*() {
      const slow = yield* sendAll(
        (n) => ({ latency: n === warm + 2 ? 100 : 2, status: n === warm ? 429 : 200 }),
        warm + 5
      )
      expect(slow.departures.slice(warm - 1)).toEqual([440, 460, 480, 500, 540, 560])
    }))

  it.effect("with a server further than an interval, a 429 does not hold attempts back for answers", () =>
    Effect.gen(function*() {
      const far = yield* sendAll((n) => ({ latency: 50, status: n === 1 ? 429 : 200 }), 8)
      // One every interval from the second answer (at 120 ms, the 429) on.
      expect(far.departures).toEqual([0, 70, 110, 150, 170, 190, 210, 230])
    }))

  it.effect("takes only a 429 to a strictly spaced attempt for a rate too high", () =>
    Effect.gen(function*() {
      // One is refused while spacing is even (it only becomes strict), another once it is strict.
      const refused = yield* sendAll(
        (n) => ({ latency: 2, status: n === warm + 2 || n === warm + 5 ? 429 : 200 }),
        warm + 7
      )
      expect(refused.departures.slice(warm - 1, warm + 6)).toEqual([440, 460, 480, 500, 520, 540, 560])
      expect(refused.tooFast).toBe(1)
    }))
})
