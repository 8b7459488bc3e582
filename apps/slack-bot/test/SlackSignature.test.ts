import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as SlackSignature from "../src/SlackSignature.js"
import { example, sign } from "./utils/slack.js"

const encoder = new TextEncoder()
const exampleKey = SlackSignature.importKey(Redacted.make(example.secret))
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

  it("compares in constant time over equal lengths", () => {
    const a = new Uint8Array([1, 2, 3])
    expect(SlackSignature.constantTimeEqual(a, new Uint8Array([1, 2, 3]))).toBe(true)
    expect(SlackSignature.constantTimeEqual(a, new Uint8Array([1, 2, 4]))).toBe(false)
    expect(SlackSignature.constantTimeEqual(a, new Uint8Array([1, 2]))).toBe(false)
  })
})
