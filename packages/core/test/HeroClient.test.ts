import { assert, describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as HeroClient from "../src/HeroClient.js"
import type * as HeroError from "../src/HeroError.js"
import type * as RegisterPds from "../src/RegisterPds.js"
import { json, registered, type Reply, scripted } from "./utils/scripted.js"

const jane = { nhsNumber: "943 476 5919", dob: "2010-10-22" }

/** Runs one call against a script and returns its exit and what was sent. */
const run = (replies: ReadonlyArray<Reply>, options = {}) => {
  const { layer, sent } = scripted(replies, options)
  return Effect.map(Effect.exit(Effect.provide(HeroClient.registerPds(jane), layer)), (exit) => ({ exit, sent }))
}

const failure = (exit: Exit.Exit<RegisterPds.Result, HeroError.HeroError>): HeroError.HeroError => {
  if (Exit.isSuccess(exit)) throw new Error(`expected a failure, got ${exit.value._tag}`)
  const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  if (error === undefined) throw new Error(`expected a typed failure, got a ${exit.cause._tag}`)
  return error
}

/** Any correlation id (a v4 UUID). */
const anyId = expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)

const success = (exit: Exit.Exit<RegisterPds.Result, HeroError.HeroError>): RegisterPds.Result => {
  if (Exit.isFailure(exit)) throw new Error(`expected a success, got ${Cause.pretty(exit.cause)}`)
  return exit.value
}

/** Starts a call in the background so a test can move the TestClock and watch the requests. */
const start = (replies: ReadonlyArray<Reply>, options = {}) =>
  Effect.gen(function*() {
    const { layer, sent } = scripted(replies, options)
    const fiber = yield* Effect.fork(Effect.provide(HeroClient.registerPds(jane), layer))
    yield* Effect.yieldNow()
    return { fiber, sent }
  })

const advance = (millis: number) => Effect.zipRight(TestClock.adjust(millis), Effect.yieldNow())

/** A call to a server that never answers fails as a timeout after exactly `millis`, with one request sent. */
const timesOutAfter = (millis: number, options: object) =>
  Effect.gen(function*() {
    const { fiber, sent } = yield* start([{ ...registered(), delayMs: 60_000 }], options)
    yield* advance(millis - 1)
    expect(fiber.unsafePoll()).toBeNull()
    yield* advance(1)
    expect(failure(yield* Fiber.await(fiber))).toMatchObject({ _tag: "TransportError", reason: "Timeout", attempts: 1 })
    expect(sent).toHaveLength(1)
  })

describe("HeroClient", () => {
  describe("requests", () => {
    it.effect("sends the normalised body with Hero's headers and a user-agent naming the package", () =>
      Effect.gen(function*() {
        const { exit, sent } = yield* run([registered()])
        expect(success(exit)).toEqual({ _tag: "Registered", patientId: "98765", correlationId: anyId })
        expect(sent).toHaveLength(1)
        const [request] = sent
        expect(request!.method).toBe("POST")
        expect(request!.url).toBe("https://api.staging.htech.app/v1/patients/register_pds")
        expect(request!.body).toEqual({ nhs_number: "9434765919", dob: "2010-10-22" })
        expect(request!.headers).toMatchObject({
          "x-api-key": "test-key-s3cr3t",
          "x-practice-group-id": "pg-1",
          "content-type": "application/json",
          accept: "application/json",
          "user-agent": HeroClient.userAgent
        })
        expect(HeroClient.userAgent).toMatch(/^@hero-pds\/core\/\d+\.\d+\.\d+/)
      }))

    it.effect("sends a demographic request in snake_case, EHR fields included", () =>
      Effect.gen(function*() {
        const { layer, sent } = scripted([registered()])
        yield* Effect.provide(
          HeroClient.registerPds({
            forename: " Jane ",
            surname: "Smith",
            dob: "2010-10-22",
            postcode: "ls1 6ae",
            ehrPartner: "emis",
            ehrPartnerId: "E-1"
          }),
          layer
        )
        expect(sent[0]!.body).toEqual({
          forename: "Jane",
          surname: "Smith",
          dob: "2010-10-22",
          postcode: "LS1 6AE",
          ehr_partner: "emis",
          ehr_partner_id: "E-1"
        })
      }))

    it.effect("uses HERO_BASE_URL-style overrides without doubling slashes", () =>
      Effect.gen(function*() {
        const { sent } = yield* run([registered()], { baseUrl: "http://127.0.0.1:4010/" })
        expect(sent[0]!.url).toBe("http://127.0.0.1:4010/v1/patients/register_pds")
      }))

    it.effect("rejects the documentation's example 123 456 7891 as InvalidInput before any request", () =>
      Effect.gen(function*() {
        const { layer, sent } = scripted([registered()])
        const error = yield* Effect.flip(
          Effect.provide(HeroClient.registerPds({ nhsNumber: "123 456 7891", dob: "1992-01-01" }), layer)
        )
        expect(error._tag).toBe("InvalidInput")
        assert(error._tag === "InvalidInput")
        expect(error.issues).toEqual([{ path: "nhsNumber", message: expect.stringContaining("check digit") }])
        expect(sent).toHaveLength(0)
      }))
  })

  describe("results", () => {
    it.effect("accepts a numeric patient_id as a string", () =>
      Effect.gen(function*() {
        const { exit } = yield* run([registered(98765)])
        expect(success(exit)).toEqual({ _tag: "Registered", patientId: "98765", correlationId: anyId })
      }))

    it.effect("returns VerificationRequired with the login URL", () =>
      Effect.gen(function*() {
        const body = { message: "Patient must verify", login_url: "https://patient.herohealth.net/verify/abc123" }
        const { exit } = yield* run([json(200, body)])
        expect(success(exit)).toEqual({
          _tag: "VerificationRequired",
          message: "Patient must verify",
          loginUrl: "https://patient.herohealth.net/verify/abc123",
          correlationId: anyId
        })
      }))

    const unexpected: ReadonlyArray<[string, Reply, RegExp]> = [
      ["a 2xx body matching neither result", json(200, { ok: true }), /neither/],
      [
        "a verification link that is not https",
        json(200, { message: "m", login_url: "javascript:alert(1)" }),
        /neither/
      ],
      [
        "a truncated JSON body",
        { status: 200, headers: { "content-type": "application/json" }, body: "{\"patient_" },
        /not JSON/
      ],
      [
        "an HTML error page",
        { status: 200, headers: { "content-type": "text/html; charset=9434765919" }, body: "<html>oops</html>" },
        /^the body is not JSON$/
      ],
      ["an empty body", { status: 201 }, /empty/],
      ["a redirect", { status: 302, headers: { location: "https://example.com" } }, /302 is a redirect/],
      ["a status with no meaning here", json(418, { error: true }), /418/]
    ]
    for (const [name, reply, reason] of unexpected) {
      it.effect(`turns ${name} into UnexpectedResponse, never a defect`, () =>
        Effect.gen(function*() {
          const { exit, sent } = yield* run([reply])
          const error = failure(exit)
          assert(error._tag === "UnexpectedResponse")
          expect(error.reason).toMatch(reason)
          expect(error.attempts).toBe(1)
          expect(sent).toHaveLength(1)
        }))
    }
  })

  describe("the error table", () => {
    const requestId = { "x-request-id": "req-42" }
    const notRetried: ReadonlyArray<[number, HeroError.Tag]> = [
      [400, "BadRequest"],
      [401, "Unauthorized"],
      [403, "Forbidden"],
      [404, "PatientNotFound"],
      [409, "UnexpectedResponse"],
      [501, "ServerError"],
      [505, "ServerError"]
    ]
    for (const [status, tag] of notRetried) {
      it.effect(`HTTP ${status} fails at once as ${tag}, with status, attempts and request id`, () =>
        Effect.gen(function*() {
          const { exit, sent } = yield* run([json(status, { error: true }, requestId), registered()])
          expect(failure(exit)).toMatchObject({ _tag: tag, status, attempts: 1, requestId: "req-42" })
          expect(sent).toHaveLength(1)
        }))
    }

    it.effect("BadRequest keeps only the shape of issues that echo values back", () =>
      Effect.gen(function*() {
        const body = {
          error: true,
          statusCode: 400,
          message: [{ code: "9434765919", expected: "test-key-s3cr3t", path: ["nhs_number", "2010-10-22", 0] }]
        }
        const { exit } = yield* run([json(400, body)])
        const error = failure(exit)
        assert(error._tag === "BadRequest")
        expect(error.issues).toEqual([{ code: "invalid", path: ["nhs_number", "(redacted)", 0] }])
        expect(`${error.message} ${JSON.stringify(error)}`).not.toMatch(/9434765919|2010-10-22|test-key-s3cr3t/)
      }))

    it.effect("BadRequest carries Hero's validation issues", () =>
      Effect.gen(function*() {
        const body = {
          error: true,
          statusCode: 400,
          message: [{ code: "invalid_type", expected: "string", path: ["nhs_number"], received: "9434765919" }]
        }
        const { exit } = yield* run([json(400, body)])
        const error = failure(exit)
        assert(error._tag === "BadRequest")
        expect(error.issues).toEqual([{ code: "invalid_type", expected: "string", path: ["nhs_number"] }])
        expect(error.message).toContain("nhs_number: invalid_type, expected string")
        expect(error.message).not.toContain("9434765919")
      }))

    const retried: ReadonlyArray<[Reply, HeroError.Tag, object]> = [
      [json(429, {}), "RateLimited", { status: 429 }],
      [json(500, {}), "ServerError", { status: 500 }],
      [json(502, {}), "ServerError", { status: 502 }],
      [json(503, {}), "ServerError", { status: 503 }],
      [json(504, {}), "ServerError", { status: 504 }],
      [json(408, {}), "TransportError", { reason: "Timeout" }],
      [{ drop: true }, "TransportError", { reason: "Network" }]
    ]
    for (const [reply, tag, fields] of retried) {
      const label = "drop" in reply ? "a dropped connection" : `HTTP ${reply.status}`
      it.effect(`${label} is retried 3 times, then fails as ${tag} after 4 attempts`, () =>
        Effect.gen(function*() {
          const { fiber, sent } = yield* start([reply])
          yield* advance(60_000)
          const error = failure(yield* Fiber.await(fiber))
          expect(error).toMatchObject({ _tag: tag, attempts: 4, ...fields })
          expect(sent).toHaveLength(4)
        }))
    }

    it.effect("a per-attempt timeout becomes TransportError { reason: \"Timeout\" }", () =>
      timesOutAfter(10_000, { maxRetries: 0, timeoutMs: 10_000 }))

    it.effect("a slow first attempt times out and the retry succeeds", () =>
      Effect.gen(function*() {
        const { fiber, sent } = yield* start([{ ...registered(), delayMs: 30_000 }, registered("2")], {
          timeoutMs: 1_000,
          retryJitter: false
        })
        yield* advance(1_000 + 500)
        expect(yield* Fiber.join(fiber)).toMatchObject({ _tag: "Registered", patientId: "2" })
        expect(sent).toHaveLength(2)
      }))
  })

  describe("retry timing (TestClock)", () => {
    it.effect("waits exactly Retry-After seconds, then succeeds", () =>
      Effect.gen(function*() {
        const { fiber, sent } = yield* start([json(429, {}, { "retry-after": "1" }), registered()])
        yield* advance(999)
        expect(sent).toHaveLength(1)
        yield* advance(1)
        expect(sent).toHaveLength(2)
        expect(yield* Fiber.join(fiber)).toMatchObject({ _tag: "Registered", patientId: "98765" })
      }))

    it.effect("waits until a Retry-After HTTP-date", () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(Date.parse("2026-11-24T10:00:00Z"))
        const { fiber, sent } = yield* start([
          json(503, {}, { "retry-after": "Tue, 24 Nov 2026 10:00:05 GMT" }),
          registered()
        ])
        yield* advance(4_999)
        expect(sent).toHaveLength(1)
        yield* advance(1)
        expect(sent).toHaveLength(2)
        yield* Fiber.join(fiber)
      }))

    it.effect("prefers retry-after-ms over Retry-After", () =>
      Effect.gen(function*() {
        const { fiber, sent } = yield* start([
          json(429, {}, { "retry-after-ms": "250", "retry-after": "10" }),
          registered()
        ])
        yield* advance(249)
        expect(sent).toHaveLength(1)
        yield* advance(1)
        expect(sent).toHaveLength(2)
        yield* Fiber.join(fiber)
      }))

    it.effect("fails at once as RateLimited when the hint is above the cap", () =>
      Effect.gen(function*() {
        const { exit, sent } = yield* run([json(429, {}, { "retry-after": "120" }), registered()])
        expect(failure(exit)).toMatchObject({ _tag: "RateLimited", retryAfter: 120_000, attempts: 1 })
        expect(sent).toHaveLength(1)
      }))

    it.effect("honours a configured cap", () =>
      Effect.gen(function*() {
        const { exit, sent } = yield* run([json(429, {}, { "retry-after": "5" })], { maxRetryAfterMs: 4_000 })
        expect(failure(exit)).toMatchObject({ _tag: "RateLimited", retryAfter: 5_000, attempts: 1 })
        expect(sent).toHaveLength(1)
      }))

    it.effect("backs off 5xx exponentially from 500 ms, doubling, capped at 8 s", () =>
      Effect.gen(function*() {
        const { fiber, sent } = yield* start([json(503, {})], { maxRetries: 6, retryJitter: false })
        for (const [index, delay] of [500, 1_000, 2_000, 4_000, 8_000, 8_000].entries()) {
          yield* advance(delay - 1)
          expect(sent).toHaveLength(index + 1)
          yield* advance(1)
          expect(sent).toHaveLength(index + 2)
        }
        expect(failure(yield* Fiber.await(fiber))).toMatchObject({ _tag: "ServerError", attempts: 7 })
      }))

    it.effect("jitters backoff within 0.8x to 1.2x", () =>
      Effect.gen(function*() {
        const { fiber, sent } = yield* start([json(500, {})], { maxRetries: 1 })
        yield* advance(399)
        expect(sent).toHaveLength(1)
        yield* advance(201)
        expect(sent).toHaveLength(2)
        yield* Fiber.await(fiber)
      }))

    it.effect("makes maxRetries + 1 attempts", () =>
      Effect.gen(function*() {
        const none = yield* run([json(503, {})], { maxRetries: 0 })
        expect(failure(none.exit)).toMatchObject({ _tag: "ServerError", attempts: 1 })
        const { fiber, sent } = yield* start([json(503, {})], { maxRetries: 2 })
        yield* advance(60_000)
        expect(failure(yield* Fiber.await(fiber))).toMatchObject({ attempts: 3 })
        expect(sent).toHaveLength(3)
      }))
  })

  describe("coordination of one client's calls (TestClock)", () => {
    it.effect("after a 429 with a hint, every call waits out the same cooldown before sending", () =>
      Effect.gen(function*() {
        const { layer, sent } = scripted([json(429, {}, { "retry-after": "5" }), registered(), registered()])
        const built = yield* Layer.build(layer)
        const service = Context.get(built, HeroClient.HeroClient)
        const first = yield* Effect.fork(service.registerPds(jane))
        yield* advance(0)
        expect(sent).toHaveLength(1)
        const second = yield* Effect.fork(service.registerPds(jane))
        yield* advance(4_999)
        expect(sent).toHaveLength(1)
        yield* advance(1)
        expect(sent).toHaveLength(3)
        yield* Fiber.join(first)
        yield* Fiber.join(second)
      }).pipe(Effect.scoped))

    it.effect("spaces requests evenly at maxRequestsPerSecond", () =>
      Effect.gen(function*() {
        const { layer, sent } = scripted([registered()], { maxRequestsPerSecond: 2 })
        const service = Context.get(yield* Layer.build(layer), HeroClient.HeroClient)
        const fibers = yield* Effect.forEach(Array.from({ length: 5 }), () => Effect.fork(service.registerPds(jane)))
        yield* advance(0)
        expect(sent).toHaveLength(1)
        for (const expected of [2, 3, 4, 5]) {
          yield* advance(499)
          expect(sent).toHaveLength(expected - 1)
          yield* advance(1)
          expect(sent).toHaveLength(expected)
        }
        yield* Fiber.joinAll(fibers)
      }).pipe(Effect.scoped))

    it.effect("keeps at most maxConcurrency requests in flight", () =>
      Effect.gen(function*() {
        const { layer, sent } = scripted([{ ...registered(), delayMs: 1_000 }], { maxConcurrency: 2 })
        const service = Context.get(yield* Layer.build(layer), HeroClient.HeroClient)
        const fibers = yield* Effect.forEach(Array.from({ length: 5 }), () => Effect.fork(service.registerPds(jane)))
        yield* advance(0)
        expect(sent).toHaveLength(2)
        yield* advance(1_000)
        expect(sent).toHaveLength(4)
        yield* advance(1_000)
        expect(sent).toHaveLength(5)
        yield* advance(1_000)
        expect(yield* Fiber.joinAll(fibers)).toHaveLength(5)
      }).pipe(Effect.scoped))

    it.effect("registerStream emits every outcome in input order, failures included", () =>
      Effect.gen(function*() {
        const replies = [
          { ...registered("1"), delayMs: 300 },
          json(404, {}),
          { ...registered("3"), delayMs: 100 }
        ]
        const { layer } = scripted(replies, { maxRetries: 0 })
        const inputs = [jane, { ...jane, dob: "2010-10-21" }, { nhsNumber: "123", dob: "x" }, {
          ...jane,
          dob: "2010-10-20"
        }]
        const fiber = yield* Effect.fork(
          Stream.runCollect(HeroClient.registerStream(Stream.fromIterable(inputs), { concurrency: 3 })).pipe(
            Effect.provide(layer)
          )
        )
        yield* advance(1_000)
        const settled = Chunk.toReadonlyArray(yield* Fiber.join(fiber))
        expect(settled.map((_) => _.input)).toEqual(inputs)
        expect(settled.map((_) => Either.isRight(_.result) ? _.result.right._tag : _.result.left._tag)).toEqual([
          "Registered",
          "PatientNotFound",
          "InvalidInput",
          "Registered"
        ])
      }))
  })

  describe("hardening", () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

    it.effect("sends one x-correlation-id per call, the same on every attempt", () =>
      Effect.gen(function*() {
        const { layer, sent } = scripted([json(503, {}), registered(), registered()], { retryJitter: false })
        const service = Context.get(yield* Layer.build(layer), HeroClient.HeroClient)
        const first = yield* Effect.fork(service.registerPds(jane))
        yield* advance(500)
        yield* Fiber.join(first)
        yield* service.registerPds(jane)
        const ids = sent.map((request) => request.headers["x-correlation-id"])
        expect(ids).toHaveLength(3)
        expect(ids[0]).toMatch(uuid)
        expect(ids[1]).toBe(ids[0])
        expect(ids[2]).toMatch(uuid)
        expect(ids[2]).not.toBe(ids[0])
      }).pipe(Effect.scoped))

    it.effect("returns the correlation id on results and on every error", () =>
      Effect.gen(function*() {
        const ok = yield* run([registered()])
        expect(success(ok.exit).correlationId).toBe(ok.sent[0]!.headers["x-correlation-id"])
        for (const reply of [json(404, {}), json(302, {}), { drop: true } as const]) {
          const { exit, sent } = yield* run([reply], { maxRetries: 0 })
          expect(failure(exit).correlationId).toBe(sent[0]!.headers["x-correlation-id"])
        }
        const { layer } = scripted([registered()])
        const error = yield* Effect.flip(Effect.provide(HeroClient.registerPds({ nhsNumber: "1", dob: "x" }), layer))
        expect(error).toMatchObject({ _tag: "InvalidInput", correlationId: anyId })
      }))

    const unsafeIds: ReadonlyArray<[string, string]> = [
      ["the API key", "test-key-s3cr3t"],
      ["an NHS number", "req-9434765919"],
      ["a grouped NHS number", "943-476-5919"],
      ["an ISO date", "2010-10-22"],
      ["a UK date", "22.10.2010"],
      ["a compact date", "id-20101022"],
      ["spaces", "req 42"],
      ["a slash", "a/b"],
      ["over 128 characters", "x".repeat(129)]
    ]
    for (const [name, value] of unsafeIds) {
      it.effect(`leaves out a request id holding ${name}`, () =>
        Effect.gen(function*() {
          const { exit } = yield* run([json(404, {}, { "x-request-id": value })])
          const error = failure(exit)
          expect(error).toMatchObject({ _tag: "PatientNotFound" })
          expect(error).not.toHaveProperty("requestId", value)
          expect(`${error.message} ${JSON.stringify(error)}`).not.toContain(value)
        }))
    }

    it.effect("keeps a well-formed request id such as a UUID", () =>
      Effect.gen(function*() {
        const id = "550e8400-e29b-41d4-a716-446655440000"
        const { exit } = yield* run([json(404, {}, { "x-request-id": id })])
        expect(failure(exit)).toMatchObject({ requestId: id })
      }))

    it.effect("refuses a body over 64 KiB as UnexpectedResponse", () =>
      Effect.gen(function*() {
        const body = JSON.stringify({ patient_id: "1", padding: "x".repeat(64 * 1024) })
        const { exit } = yield* run([{ status: 200, body }])
        expect(failure(exit)).toMatchObject({ _tag: "UnexpectedResponse", status: 200, reason: /over 64 KiB/ })
      }))

    it.effect("acts for another practice group per call, sharing the client's cooldown", () =>
      Effect.gen(function*() {
        const { layer, sent } = scripted([json(429, {}, { "retry-after": "5" }), registered()])
        const service = Context.get(yield* Layer.build(layer), HeroClient.HeroClient)
        const first = yield* Effect.fork(service.registerPds(jane, { practiceGroupId: "pg-2" }))
        yield* advance(0)
        const second = yield* Effect.fork(service.registerPds(jane, { practiceGroupId: "pg-3" }))
        yield* advance(4_999)
        expect(sent).toHaveLength(1)
        yield* advance(1)
        yield* Fiber.join(first)
        yield* Fiber.join(second)
        expect(sent.map((request) => request.headers["x-practice-group-id"]).sort()).toEqual(["pg-2", "pg-2", "pg-3"])
      }).pipe(Effect.scoped))

    it.effect("takes timeoutMs and maxRetries per call", () =>
      Effect.gen(function*() {
        const { layer, sent } = scripted([{ ...registered(), delayMs: 30_000 }])
        const once = yield* Effect.fork(
          Effect.provide(HeroClient.registerPds(jane, { timeoutMs: 100, maxRetries: 0 }), layer)
        )
        yield* advance(100)
        expect(failure(yield* Fiber.await(once))).toMatchObject({
          _tag: "TransportError",
          reason: "Timeout",
          attempts: 1
        })
        expect(sent).toHaveLength(1)
      }))

    it.effect("refuses per-call options that cannot work as InvalidInput, sending nothing", () =>
      Effect.gen(function*() {
        const { layer, sent } = scripted([registered()])
        for (const options of [{ practiceGroupId: " " }, { timeoutMs: 0 }, { maxRetries: 1.5 }]) {
          const error = yield* Effect.flip(Effect.provide(HeroClient.registerPds(jane, options), layer))
          expect(error).toMatchObject({ _tag: "InvalidInput", issues: [{ path: Object.keys(options)[0] }] })
        }
        expect(sent).toHaveLength(0)
      }))

    it.effect("interrupting a call aborts its attempt and sends nothing more", () =>
      Effect.gen(function*() {
        const { fiber, sent } = yield* start([json(503, {}), registered()])
        yield* Fiber.interrupt(fiber)
        yield* advance(60_000)
        expect(sent).toHaveLength(1)
      }))

    describe("deadlineMs bounds a whole call", () => {
      it.effect("a Retry-After longer than what is left is not slept on: the call fails at once", () =>
        Effect.gen(function*() {
          const { fiber, sent } = yield* start([json(429, {}, { "retry-after": "10" }), registered()], {
            deadlineMs: 5_000
          })
          yield* advance(0)
          expect(failure(yield* Fiber.await(fiber))).toMatchObject({ _tag: "RateLimited", attempts: 1 })
          expect(sent).toHaveLength(1)
        }))

      it.effect("shortens the attempt to what is left: TransportError Timeout when nothing answered", () =>
        timesOutAfter(3_000, { deadlineMs: 3_000, timeoutMs: 10_000 }))

      it.effect("fails with the error in hand rather than begin a backoff that ends past it", () =>
        Effect.gen(function*() {
          const { fiber, sent } = yield* start([json(503, {})], { deadlineMs: 1_200, retryJitter: false })
          yield* advance(500)
          expect(failure(yield* Fiber.await(fiber))).toMatchObject({ _tag: "ServerError", status: 503, attempts: 2 })
          expect(sent).toHaveLength(2)
        }))

      it.effect("bounds the wait for the client's cooldown too", () =>
        Effect.gen(function*() {
          const { layer, sent } = scripted([json(429, {}, { "retry-after": "5" }), registered()], {
            deadlineMs: 2_000
          })
          const service = Context.get(yield* Layer.build(layer), HeroClient.HeroClient)
          const first = yield* Effect.fork(service.registerPds(jane))
          yield* advance(0)
          const second = yield* Effect.fork(service.registerPds(jane))
          yield* advance(2_000)
          expect(failure(yield* Fiber.await(first))).toMatchObject({ _tag: "RateLimited", attempts: 1 })
          expect(failure(yield* Fiber.await(second))).toMatchObject({ _tag: "TransportError", reason: "Timeout" })
          expect(sent).toHaveLength(1)
        }).pipe(Effect.scoped))
    })
  })
})
