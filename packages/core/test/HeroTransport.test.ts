import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import * as HeroTransport from "../src/HeroTransport.js"

const request: HeroTransport.Request = { url: "http://127.0.0.1:1/", headers: {}, body: "{}", timeout: 1_000 }
const ok: HeroTransport.Response = { status: 200, headers: {}, body: "{}" }

/** A callback sender whose attempts end only when `finish` is called, counting aborts. */
const pending = () => {
  const counts = { started: 0, aborted: 0 }
  let finish: (() => void) | undefined
  const transport = HeroTransport.make((_, done) => {
    counts.started++
    finish = () => done(Either.right(ok))
    return () => {
      counts.aborted++
      done(Either.left(new HeroTransport.TransportFailure({ reason: "Network", detail: "aborted" })))
    }
  })
  return { counts, transport, finish: () => finish?.() }
}

describe("HeroTransport.make", () => {
  it.effect("aborts the attempt once when its fiber is interrupted", () =>
    Effect.gen(function*() {
      const { counts, transport } = pending()
      const fiber = yield* Effect.fork(transport.send(request))
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(fiber)
      expect(counts).toEqual({ started: 1, aborted: 1 })
    }))

  it.effect("aborts the attempt when a timeout around it passes", () =>
    Effect.gen(function*() {
      const { counts, transport } = pending()
      const fiber = yield* Effect.fork(Effect.timeout(transport.send(request), "1 second"))
      yield* TestClock.adjust("1 second")
      const exit = yield* Fiber.await(fiber)
      expect(exit._tag).toBe("Failure")
      expect(counts).toEqual({ started: 1, aborted: 1 })
    }))

  it.effect("leaves a finished attempt alone when its fiber ends later, however many attempts it made", () =>
    Effect.gen(function*() {
      const { counts, finish, transport } = pending()
      const fiber = yield* Effect.fork(Effect.zipRight(Effect.repeatN(transport.send(request), 2), Effect.never))
      for (let attempt = 1; attempt <= 3; attempt++) {
        while (counts.started < attempt) yield* Effect.yieldNow()
        finish()
      }
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(fiber)
      expect(counts).toEqual({ started: 3, aborted: 0 })
    }))

  it.effect("settles an attempt its sender answers at once, before returning", () =>
    Effect.gen(function*() {
      let aborted = 0
      const transport = HeroTransport.make((_, done) => {
        done(Either.right(ok))
        return () => aborted++
      })
      expect(yield* transport.send(request)).toEqual(ok)
      expect(aborted).toBe(0)
    }))
})
