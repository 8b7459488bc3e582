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

describe("bulk's spacing on the wire", () => {
  it.effect("sends no attempt less than the server's interval after the one before", () =>
    Effect.gen(function*() {
      const near = yield* sendAll((n) => ({ latency: 5, status: n === 2 ? 429 : 200 }), 5)
      expect(near.departures).toEqual([0, 20, 40, 60, 80])
      expect(near.tooFast).toBe(1)
    }))
})
