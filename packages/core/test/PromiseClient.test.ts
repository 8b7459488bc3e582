import { describe, expect, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Layer from "effect/Layer"
import * as HeroConfig from "../src/HeroConfig.js"
import * as HeroError from "../src/HeroError.js"
import * as HeroTransport from "../src/HeroTransport.js"
import * as PromiseClient from "../src/PromiseClient.js"
import * as RegisterPds from "../src/RegisterPds.js"

const jane = { nhsNumber: "9000000009", dob: "2010-10-22" }

/**
 * How a test transport is built: Effect-only (`send`, like `HeroTransport.fromHttpClient`), or from a callback sender
 * (`HeroTransport.make`, like the Node and edge adapters), whose first attempts the client runs outside a fiber.
 */
type Kind = "effect" | "callback"

/** A transport layer whose every attempt runs `answer`, counting builds, releases, attempts and interruptions. */
const transport = (
  kind: Kind,
  answer: (request: HeroTransport.Request) => Effect.Effect<HeroTransport.Response, HeroTransport.TransportFailure>
) => {
  const lifecycle = { built: 0, released: 0, requests: 0, interrupted: 0 }
  const sent = Effect.runSync(Deferred.make<void>())
  const attempt = (request: HeroTransport.Request) =>
    Effect.suspend(() => {
      lifecycle.requests++
      return Effect.zipRight(Deferred.succeed(sent, undefined), answer(request))
    })
  const service = (): HeroTransport.Service =>
    kind === "effect"
      ? {
        send: (request) => attempt(request).pipe(Effect.onInterrupt(() => Effect.sync(() => lifecycle.interrupted++)))
      }
      : HeroTransport.make((request, done) => {
        const fiber = Effect.runFork(Effect.either(attempt(request)))
        fiber.addObserver((exit) => Exit.isSuccess(exit) && done(exit.value))
        return () => {
          lifecycle.interrupted++
          fiber.unsafeInterruptAsFork(FiberId.none)
          done(Either.left(new HeroTransport.TransportFailure({ reason: "Network", detail: "aborted" })))
        }
      })
  const layer = Layer.scoped(
    HeroTransport.HeroTransport,
    Effect.acquireRelease(
      Effect.sync(() => {
        lifecycle.built++
        return service()
      }),
      () => Effect.sync(() => lifecycle.released++)
    )
  )
  return { layer, lifecycle, sent: Effect.runPromise(Deferred.await(sent)) }
}

const config = PromiseClient.resolveConfig({ apiKey: "k", practiceGroupId: "pg", maxRetries: 0 })

it("throws HeroConfigError naming the setting when the configuration cannot work", () => {
  expect(() => PromiseClient.resolveConfig({ apiKey: "k" })).toThrow(HeroConfig.HeroConfigError)
  expect(() => PromiseClient.resolveConfig({ apiKey: "k" }, { HERO_PRACTICE_GROUP_ID: "pg", HERO_TIMEOUT_MS: "soon" }))
    .toThrow(/HERO_TIMEOUT_MS must be a whole number/)
})

describe.each<Kind>(["effect", "callback"])("PromiseClient over a %s transport", (kind) => {
  const transportOf = (
    answer: (request: HeroTransport.Request) => Effect.Effect<HeroTransport.Response, HeroTransport.TransportFailure>
  ) => transport(kind, answer)

  /** A transport layer answering every request with one status and JSON body. */
  const answering = (status: number, body: unknown, headers: HeroTransport.Response["headers"] = {}) =>
    transportOf(() => Effect.succeed({ status, headers, body: JSON.stringify(body) }))

  it("resolves with the result", async () => {
    const { layer } = answering(200, { patient_id: 7 })
    const client = PromiseClient.make(config, layer)
    const result = await client.registerPds(jane)
    expect(result).toBeInstanceOf(RegisterPds.Registered)
    expect(result).toMatchObject({ patientId: "7", correlationId: expect.any(String) })
    await client.close()
  })

  it("rejects with the HeroError instance itself, not a FiberFailure", async () => {
    const { layer } = answering(404, {})
    const client = PromiseClient.make(config, layer)
    const error = await client.registerPds(jane).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HeroError.PatientNotFound)
    expect(error).toBeInstanceOf(Error)
    expect(error).toMatchObject({ _tag: "PatientNotFound", status: 404, attempts: 1 })
    expect(Object.keys(error as object)).not.toContain("cause")
    await client.close()
  })

  it("rejects invalid input as InvalidInput without a request", async () => {
    const { layer, lifecycle } = answering(200, { patient_id: 1 })
    const client = PromiseClient.make(config, layer)
    await expect(client.registerPds({ nhsNumber: "123 456 7891", dob: "1992-01-01" })).rejects.toBeInstanceOf(
      HeroError.InvalidInput
    )
    expect(lifecycle.requests).toBe(0)
    await client.close()
  })

  it("builds its transport once for all calls and releases it on close", async () => {
    const { layer, lifecycle } = answering(200, { patient_id: 1 })
    const client = PromiseClient.make(config, layer)
    await Promise.all([client.registerPds(jane), client.registerPds(jane), client.registerPds(jane)])
    expect(lifecycle).toMatchObject({ built: 1, released: 0, requests: 3 })
    await client.close()
    expect(lifecycle.released).toBe(1)
    await expect(client.registerPds(jane)).rejects.toThrow(/closed/)
  })

  it("rejects an aborted call with the signal's reason, aborting the request in flight", async () => {
    const { layer, lifecycle, sent } = transportOf(() => Effect.never)
    const client = PromiseClient.make(config, layer)
    const controller = new AbortController()
    const call = client.registerPds(jane, { signal: controller.signal })
    await sent
    controller.abort()
    const error = await call.catch((e: unknown) => e)
    expect(error).toBe(controller.signal.reason)
    expect(error).toMatchObject({ name: "AbortError" })
    expect(lifecycle).toMatchObject({ requests: 1, interrupted: 1 })
    const reason = new Error("the user went away")
    await expect(client.registerPds(jane, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason)
    expect(lifecycle.requests).toBe(1)
    await client.close()
  })

  it("rejects with the signal's reason while waiting between attempts, and sends nothing more", async () => {
    const { layer, lifecycle, sent } = answering(503, {}, { "retry-after-ms": "30000" })
    const client = PromiseClient.make(PromiseClient.resolveConfig({ apiKey: "k", practiceGroupId: "pg" }), layer)
    const controller = new AbortController()
    const call = client.registerPds(jane, { signal: controller.signal })
    await sent
    controller.abort()
    await expect(call).rejects.toBe(controller.signal.reason)
    expect(lifecycle.requests).toBe(1)
    await client.close()
  })

  it("close() ends calls in flight with ClientClosedError, sends nothing more and releases the transport", async () => {
    const { layer, lifecycle, sent } = transportOf(() => Effect.never)
    const client = PromiseClient.make(PromiseClient.resolveConfig({ apiKey: "k", practiceGroupId: "pg" }), layer)
    const call = client.registerPds(jane).catch((e: unknown) => e)
    await sent
    await client.close()
    const error = await call
    expect(error).toBeInstanceOf(PromiseClient.ClientClosedError)
    expect((error as Error).message).toMatch(/closed/)
    expect(HeroError.isHeroError(error)).toBe(false)
    expect(lifecycle).toEqual({ built: 1, released: 1, requests: 1, interrupted: 1 })
    await expect(client.registerPds(jane)).rejects.toBeInstanceOf(PromiseClient.ClientClosedError)
  })

  it("passes per-call options: practice group, timeout and retries", async () => {
    const seen: Array<HeroTransport.Request> = []
    const { layer, lifecycle } = transportOf((request) => {
      seen.push(request)
      return Effect.succeed({ status: 500, headers: {}, body: "{}" })
    })
    const client = PromiseClient.make(
      PromiseClient.resolveConfig({ apiKey: "k", practiceGroupId: "pg", retryInitialDelayMs: 1, retryMaxDelayMs: 1 }),
      layer
    )
    const error = await client.registerPds(jane, { practiceGroupId: "pg-2", timeoutMs: 1234, maxRetries: 1 })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ _tag: "ServerError", attempts: 2 })
    expect(lifecycle.requests).toBe(2)
    expect(seen.map((request) => [request.headers["x-practice-group-id"], request.timeout])).toEqual([
      ["pg-2", 1234],
      ["pg-2", 1234]
    ])
    await client.close()
  })

  it("holds later calls while a server's cooldown lasts, whichever way the first went", async () => {
    const { layer, lifecycle } = answering(429, {}, { "retry-after-ms": "30000" })
    const client = PromiseClient.make(config, layer)
    await expect(client.registerPds(jane)).rejects.toMatchObject({ _tag: "RateLimited", retryAfter: 30_000 })
    const held = client.registerPds(jane).catch((e: unknown) => e)
    await Effect.runPromise(Effect.sleep(50))
    expect(lifecycle.requests).toBe(1)
    await client.close()
    expect(await held).toBeInstanceOf(PromiseClient.ClientClosedError)
    expect(lifecycle.requests).toBe(1)
  })

  it("bounds the first attempt by the deadline and does not begin a wait that would pass it", async () => {
    const seen: Array<number> = []
    const { layer, lifecycle } = transportOf((request) => {
      seen.push(request.timeout)
      return Effect.succeed({ status: 503, headers: { "retry-after-ms": "5000" }, body: "{}" })
    })
    const client = PromiseClient.make(
      PromiseClient.resolveConfig({ apiKey: "k", practiceGroupId: "pg", timeoutMs: 10_000, deadlineMs: 800 }),
      layer
    )
    await expect(client.registerPds(jane)).rejects.toMatchObject({ _tag: "ServerError", attempts: 1 })
    // The attempt gets what is left of the deadline when it starts (a millisecond may have passed), not timeoutMs.
    expect(seen).toHaveLength(1)
    expect(seen[0]).toBeGreaterThan(700)
    expect(seen[0]).toBeLessThanOrEqual(800)
    expect(lifecycle.requests).toBe(1)
    await client.close()
  })

  it("registerAll reads an async iterable lazily and yields every outcome in input order", async () => {
    let inFlight = 0
    let maxInFlight = 0
    let pulled = 0
    const { layer } = transportOf((request) =>
      Effect.gen(function*() {
        inFlight++
        maxInFlight = Math.max(maxInFlight, inFlight)
        yield* Effect.sleep(5)
        inFlight--
        const body = JSON.parse(request.body)
        const status = body.dob === "2010-10-21" ? 404 : 200
        return { status, headers: {}, body: JSON.stringify({ patient_id: body.dob }) }
      })
    )
    const client = PromiseClient.make(config, layer)
    async function* inputs() {
      for (const dob of ["2010-10-22", "2010-10-21", "not a date", "2010-10-20", "2010-10-19"]) {
        pulled++
        yield { nhsNumber: "9000000009", dob }
      }
    }
    const outcomes: Array<string> = []
    const pulledBefore: Array<number> = []
    for await (const settled of client.registerAll(inputs(), { concurrency: 2 })) {
      pulledBefore.push(pulled)
      outcomes.push(`${settled.input.dob}:${settled.result?._tag ?? settled.error?._tag}`)
    }
    // Lazily: when each outcome is yielded, no more than `concurrency` inputs beyond those already yielded were read.
    expect(pulledBefore).toEqual([2, 3, 4, 5, 5])
    expect(outcomes).toEqual([
      "2010-10-22:Registered",
      "2010-10-21:PatientNotFound",
      "not a date:InvalidInput",
      "2010-10-20:Registered",
      "2010-10-19:Registered"
    ])
    expect(pulled).toBe(5)
    expect(maxInFlight).toBe(2)
    await client.close()
  })
})
