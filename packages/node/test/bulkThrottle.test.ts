import { describe, expect, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import * as Throttle from "../src/internal/bulkThrottle.js"

/** Starts `count` calls of `latencyMs` each through the throttle; records when each left and the window after. */
const drive = (throttle: Throttle.Throttle, count: number, latencyMs: number) =>
  Effect.gen(function*() {
    const departures: Array<number> = []
    const call = Effect.flatMap(Clock.currentTimeMillis, (now) => {
      departures.push(now)
      return Effect.sleep(latencyMs)
    })
    const fiber = yield* Effect.fork(
      Effect.forEach(Array.from({ length: count }), () => throttle.run(call), { concurrency: throttle.maxWindow })
    )
    return { departures, fiber }
  })

const gaps = (times: ReadonlyArray<number>) => times.slice(1).map((time, i) => time - times[i]!)

describe("bulk's throttle", () => {
  it.effect("paces on an even schedule a margin under the rate", () =>
    Effect.gen(function*() {
      const throttle = yield* Throttle.make({ rate: 50 })
      const { departures } = yield* drive(throttle, 200, 5)
      yield* TestClock.adjust("10 seconds")
      const interval = 1000 / (50 * (1 - Throttle.margin))
      expect(departures).toHaveLength(200)
      for (const gap of gaps(departures)) expect(gap).toBeCloseTo(interval, 5)
      expect((departures.at(-1)! - departures[0]!) / 199).toBeGreaterThanOrEqual(interval)
      expect((departures.at(-1)! - departures[0]!) / 199).toBeLessThan(interval + 0.1)
    }))

  it.effect("with no fixed concurrency, keeps enough calls in flight for the latency, within the cap", () =>
    Effect.gen(function*() {
      const throttle = yield* Throttle.make({ rate: 50 })
      const { departures } = yield* drive(throttle, 300, 200)
      yield* TestClock.adjust("3 seconds")
      const { window } = yield* throttle.state
      // 50/s * 0.97 * 0.2 s is about 10 in flight; with headroom, more, never the cap.
      expect(window).toBeGreaterThanOrEqual(10)
      expect(window).toBeLessThan(Throttle.maxAdaptiveConcurrency)
      yield* TestClock.adjust("10 seconds")
      // The rate was sustained at 200 ms latency: 300 calls in about 300 / 48.5 s.
      expect(departures.at(-1)! - departures[0]!).toBeLessThan((300 / (50 * (1 - Throttle.margin))) * 1000 + 200)
      // A fixed concurrency stays fixed.
      const fixed = yield* Throttle.make({ rate: 50, concurrency: 3 })
      yield* drive(fixed, 30, 200)
      yield* TestClock.adjust("2 seconds")
      expect((yield* fixed.state).window).toBe(3)
    }))

  it.effect("backs off on a 429 (slower, one in flight) and recovers as calls succeed", () =>
    Effect.gen(function*() {
      const throttle = yield* Throttle.make({ rate: 50 })
      const { fiber } = yield* drive(throttle, 1000, 200)
      yield* TestClock.adjust("3 seconds")
      const before = yield* throttle.state
      yield* throttle.rateLimited
      // Several 429s together count as one.
      yield* throttle.rateLimited
      const after = yield* throttle.state
      expect(after.pace).toBeCloseTo(before.pace * Throttle.decrease, 5)
      expect(after.window).toBe(1)
      yield* TestClock.adjust("20 seconds")
      const recovered = yield* throttle.state
      expect(recovered.pace).toBeCloseTo(50 * (1 - Throttle.margin), 5)
      expect(recovered.window).toBeGreaterThanOrEqual(before.window - 1)
      yield* Fiber.interrupt(fiber)
    }))

  it.effect("without a rate, runs a fixed number at once and does not pace", () =>
    Effect.gen(function*() {
      const throttle = yield* Throttle.make({})
      const { departures } = yield* drive(throttle, 8, 100)
      yield* TestClock.adjust("1 second")
      expect(throttle.maxWindow).toBe(Throttle.defaultConcurrency)
      expect(departures).toEqual([0, 0, 0, 0, 100, 100, 100, 100])
    }))
})
