import { afterAll, describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as fc from "effect/FastCheck"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as Node from "../src/internal/node.js"
import * as SlackSignature from "../src/SlackSignature.js"
import * as Fuzz from "./utils/fuzz.js"
import { example, sign } from "./utils/slack.js"

const encoder = new TextEncoder()
const exampleKey = SlackSignature.hmac(Redacted.make(example.secret))
const at = (seconds: number) => TestClock.setTime(seconds * 1000)
const reasonOf = (presented: SlackSignature.Presented) =>
  Effect.flatMap(
    exampleKey,
    (key) =>
      Effect.map(Effect.either(SlackSignature.verify(key, presented)), (result) =>
        Either.isLeft(result) ? result.left.reason : "ok")
  )
const presented = (overrides: Partial<SlackSignature.Presented> = {}): SlackSignature.Presented => ({
  timestamp: example.timestamp,
  signature: example.signature,
  body: encoder.encode(example.body),
  ...overrides
})

describe("SlackSignature", () => {
  it.effect("signs Slack's published example exactly", () =>
    Effect.gen(function*() {
      const key = yield* exampleKey
      expect(yield* SlackSignature.sign(key, example.timestamp, example.body)).toBe(example.signature)
    }))

  it.effect("verifies Slack's published example at its own time and 5 minutes either side", () =>
    Effect.gen(function*() {
      const ts = Number(example.timestamp)
      for (const now of [ts, ts + 300, ts - 300]) {
        yield* at(now)
        expect(yield* reasonOf(presented())).toBe("ok")
      }
    }))

  it.effect("rejects a stale timestamp and a future one (more than 5 minutes either way)", () =>
    Effect.gen(function*() {
      const ts = Number(example.timestamp)
      yield* at(ts + 301)
      expect(yield* reasonOf(presented())).toBe("StaleTimestamp")
      yield* at(ts - 301)
      expect(yield* reasonOf(presented())).toBe("FutureTimestamp")
    }))

  it.effect("rejects tampering, missing or malformed headers, other versions and other secrets", () =>
    Effect.gen(function*() {
      yield* at(Number(example.timestamp) + 1)
      const tampered = encoder.encode(example.body.replace("text=", "text=9000000009"))
      expect(yield* reasonOf(presented({ body: tampered }))).toBe("Mismatch")
      expect(yield* reasonOf(presented({ timestamp: undefined }))).toBe("MissingTimestamp")
      expect(yield* reasonOf(presented({ signature: undefined }))).toBe("MissingSignature")
      expect(yield* reasonOf(presented({ signature: "" }))).toBe("MissingSignature")
      expect(yield* reasonOf(presented({ timestamp: "1531420618.5" }))).toBe("MalformedTimestamp")
      expect(yield* reasonOf(presented({ signature: example.signature.replace("v0=", "v1=") }))).toBe(
        "UnsupportedVersion"
      )
      expect(yield* reasonOf(presented({ signature: example.signature.slice(3) }))).toBe("UnsupportedVersion")
      expect(yield* reasonOf(presented({ signature: example.signature.slice(0, -2) }))).toBe("MalformedSignature")
      const otherSecret = sign("another-secret", example.timestamp, example.body)
      expect(yield* reasonOf(presented({ signature: otherSecret }))).toBe("Mismatch")
      // The signature covers the timestamp: replaying the body with a fresh timestamp does not verify.
      expect(yield* reasonOf(presented({ timestamp: String(Number(example.timestamp) + 1) }))).toBe("Mismatch")
    }))

  it.effect("node:crypto (the Node entry's) and Web Crypto compute the same signature", () =>
    Effect.gen(function*() {
      const node = yield* Effect.provideService(
        SlackSignature.hmac(Redacted.make(example.secret)),
        SlackSignature.HmacImplementation,
        Node.hmac
      )
      expect(yield* SlackSignature.sign(node, example.timestamp, example.body)).toBe(example.signature)
    }))

  it("compares in constant time over equal lengths", () => {
    const a = new Uint8Array([1, 2, 3])
    expect(SlackSignature.constantTimeEqual(a, new Uint8Array([1, 2, 3]))).toBe(true)
    expect(SlackSignature.constantTimeEqual(a, new Uint8Array([1, 2, 4]))).toBe(false)
    expect(SlackSignature.constantTimeEqual(a, new Uint8Array([1, 2]))).toBe(false)
  })
})

const nowSeconds = Number(example.timestamp) + 1
const reasons: ReadonlySet<string> = new Set<SlackSignature.Reason>([
  "MissingTimestamp",
  "MissingSignature",
  "MalformedTimestamp",
  "StaleTimestamp",
  "FutureTimestamp",
  "UnsupportedVersion",
  "MalformedSignature",
  "Mismatch"
])

const hex = (length: number) =>
  fc.string({
    unit: fc.constantFrom(..."0123456789abcdefABCDEF") as fc.Arbitrary<string>,
    minLength: length,
    maxLength: length
  })

const anyTimestamp = fc.oneof(
  fc.constant(undefined),
  Fuzz.anyString(20),
  fc.integer({ min: nowSeconds - 1_000, max: nowSeconds + 1_000 }).map(String),
  fc.bigInt({ min: 0n, max: 10n ** 15n }).map(String),
  fc.constantFrom("", " ", "-1", "0", "1e9", `${nowSeconds}.0`, ` ${nowSeconds}`, `+${nowSeconds}`, "NaN")
)

const anySignature = fc.oneof(
  fc.constant(undefined),
  Fuzz.anyString(80),
  hex(64).map((digits) => `v0=${digits}`),
  fc.tuple(fc.constantFrom("v0", "v1", "V0", "", "v0 ", "sha256"), fc.nat({ max: 80 }).chain(hex))
    .map(([version, digits]) => `${version}=${digits}`),
  fc.tuple(fc.string({ minLength: 1 }), fc.integer({ min: nowSeconds - 300, max: nowSeconds + 300 }))
    .map(([secret, ts]) => sign(secret, String(ts), example.body))
)

const anyBody = fc.oneof(
  fc.uint8Array({ maxLength: 512 }),
  Fuzz.anyString(300).map((text) => new TextEncoder().encode(text)),
  fc.constant(encoder.encode(example.body))
)

const runtime = Fuzz.testRuntime()
afterAll(() => runtime.dispose())
/** The key, with the `TestClock` set to `nowSeconds` once (setting it yields to the event loop: slow per run). */
const key = runtime.runPromise(Effect.zipRight(at(nowSeconds), exampleKey))

/** Verifies under `TestClock` at `nowSeconds`; a defect (a throw) is returned as a failed Exit, never thrown. */
const verifyAt = async (presented: SlackSignature.Presented) => {
  const imported = await key
  return runtime.runPromise(Effect.exit(SlackSignature.verify(imported, presented)))
}

describe("SlackSignature (fuzz)", () => {
  Fuzz.asyncProp(
    "never throws on any headers and body, and accepts only what the secret signed within 5 minutes",
    [anyTimestamp, anySignature, anyBody],
    async (timestamp, signature, body) => {
      const exit = await verifyAt({ timestamp, signature, body })
      const fresh = timestamp !== undefined && /^\d{1,12}$/.test(timestamp) &&
        Math.abs(nowSeconds - Number(timestamp)) <= 300
      if (fresh && signature === sign(example.secret, timestamp, body)) {
        expect(Exit.isSuccess(exit)).toBe(true)
        return
      }
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isFailure(exit)) {
        const error = Cause.failureOption(exit.cause)
        expect(Option.isSome(error), "a defect, not a SignatureError").toBe(true)
        if (Option.isSome(error)) {
          expect(error.value).toBeInstanceOf(SlackSignature.SignatureError)
          expect(reasons.has(error.value.reason)).toBe(true)
        }
      }
    }
  )

  Fuzz.asyncProp(
    "accepts any body the secret signed within 5 minutes, and rejects other secrets, tampering and later replays",
    [anyBody, fc.integer({ min: -300, max: 300 }), fc.string({ minLength: 1, maxLength: 64 }), fc.nat()],
    async (body, skew, otherSecret, position) => {
      const timestamp = String(nowSeconds + skew)
      const genuine = sign(example.secret, timestamp, body)
      expect(Exit.isSuccess(await verifyAt({ timestamp, signature: genuine, body }))).toBe(true)
      const upper = `v0=${genuine.slice(3).toUpperCase()}`
      expect(Exit.isSuccess(await verifyAt({ timestamp, signature: upper, body }))).toBe(true)
      if (otherSecret !== example.secret) {
        const forged = await verifyAt({ timestamp, signature: sign(otherSecret, timestamp, body), body })
        expect(Exit.isFailure(forged)).toBe(true)
      }
      if (body.length > 0) {
        const tampered = Uint8Array.from(body)
        const flipped = position % body.length
        tampered[flipped] = tampered[flipped]! ^ (1 << (position % 8))
        expect(Exit.isFailure(await verifyAt({ timestamp, signature: genuine, body: tampered }))).toBe(true)
      }
      const replayed = String(nowSeconds + skew + (skew >= 0 ? 301 : -301))
      const late = await verifyAt({ timestamp: replayed, signature: sign(example.secret, replayed, body), body })
      expect(Exit.isFailure(late)).toBe(true)
    }
  )
})
