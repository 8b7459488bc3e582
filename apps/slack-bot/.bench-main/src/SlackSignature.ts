/**
 * Verifies that a request comes from Slack: `X-Slack-Signature` is `v0=` and the hex HMAC-SHA256 of
 * `v0:{timestamp}:{raw body}` under the signing secret, compared in constant time, and
 * `X-Slack-Request-Timestamp` is within five minutes of now in either direction. Web Crypto only, so it
 * runs on Node and in Workers alike; "now" comes from Effect's `Clock`.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

/**
 * The only signature version Slack uses.
 *
 * @since 0.1.0
 */
export const version = "v0"

/**
 * How far a request's timestamp may be from now, in seconds, either way.
 *
 * @since 0.1.0
 */
export const maxSkewSeconds = 300

/**
 * The request headers involved (lower case).
 *
 * @since 0.1.0
 */
export const headers = { signature: "x-slack-signature", timestamp: "x-slack-request-timestamp" } as const

/**
 * Why a request was not verified. Logged; never sent to the caller.
 *
 * @since 0.1.0
 * @category models
 */
export type Reason =
  | "MissingTimestamp"
  | "MissingSignature"
  | "MalformedTimestamp"
  | "StaleTimestamp"
  | "FutureTimestamp"
  | "UnsupportedVersion"
  | "MalformedSignature"
  | "Mismatch"

/**
 * A request that is not verifiably from Slack.
 *
 * @since 0.1.0
 * @category errors
 */
export class SignatureError extends Data.TaggedError("SignatureError")<{ readonly reason: Reason }> {
  override get message(): string {
    return `The request is not verifiably from Slack (${this.reason})`
  }
}

/**
 * An HMAC-SHA256 key made from a signing secret, for signing only (it cannot be exported).
 *
 * @since 0.1.0
 * @category models
 */
export type Key = CryptoKey

const encoder = new TextEncoder()

/**
 * Imports the signing secret as an HMAC-SHA256 key. Do it once and reuse the key.
 *
 * @since 0.1.0
 * @category constructors
 */
export const importKey = (secret: Redacted.Redacted<string>): Effect.Effect<Key> =>
  Effect.promise(() =>
    crypto.subtle.importKey(
      "raw",
      encoder.encode(Redacted.value(secret)),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"]
    )
  )

const baseString = (timestamp: string, body: Uint8Array): Uint8Array<ArrayBuffer> => {
  const prefix = encoder.encode(`${version}:${timestamp}:`)
  const bytes = new Uint8Array(prefix.length + body.length)
  bytes.set(prefix, 0)
  bytes.set(body, prefix.length)
  return bytes
}

const mac = (key: Key, timestamp: string, body: Uint8Array): Effect.Effect<Uint8Array> =>
  Effect.map(
    Effect.promise(() => crypto.subtle.sign("HMAC", key, baseString(timestamp, body))),
    (buffer) => new Uint8Array(buffer)
  )

const toHex = (bytes: Uint8Array): string => Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("")

const fromHex = (hex: string): Uint8Array | undefined => {
  if (!/^[0-9a-f]{64}$/i.test(hex)) return undefined
  const bytes = new Uint8Array(32)
  for (let i = 0; i < 32; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return bytes
}

/**
 * Compares two byte arrays in time that depends only on their lengths, never on where they differ.
 *
 * @since 0.1.0
 */
export const constantTimeEqual = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false
  let difference = 0
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!
  return difference === 0
}

/**
 * The `X-Slack-Signature` value for a timestamp and raw body: `v0=<hex>`.
 *
 * @since 0.1.0
 */
export const sign = (key: Key, timestamp: string, body: Uint8Array | string): Effect.Effect<string> =>
  Effect.map(
    mac(key, timestamp, typeof body === "string" ? encoder.encode(body) : body),
    (bytes) => `${version}=${toHex(bytes)}`
  )

/**
 * What a request presents: its two headers (as received, possibly missing) and its raw body bytes.
 *
 * @since 0.1.0
 * @category models
 */
export interface Presented {
  readonly timestamp: string | undefined
  readonly signature: string | undefined
  readonly body: Uint8Array
}

/**
 * Verifies a request against the key and the current time from `Clock`. Succeeds with nothing, or fails with
 * the reason it is not from Slack.
 *
 * @since 0.1.0
 */
export const verify = (key: Key, presented: Presented): Effect.Effect<void, SignatureError> =>
  Effect.gen(function*() {
    const fail = (reason: Reason) => Effect.fail(new SignatureError({ reason }))
    const { signature, timestamp } = presented
    if (timestamp === undefined || timestamp.trim() === "") return yield* fail("MissingTimestamp")
    if (signature === undefined || signature.trim() === "") return yield* fail("MissingSignature")
    if (!/^\d{1,12}$/.test(timestamp)) return yield* fail("MalformedTimestamp")
    const nowSeconds = Math.floor((yield* Clock.currentTimeMillis) / 1000)
    const skew = nowSeconds - Number(timestamp)
    if (skew > maxSkewSeconds) return yield* fail("StaleTimestamp")
    if (skew < -maxSkewSeconds) return yield* fail("FutureTimestamp")
    const separator = signature.indexOf("=")
    if (separator < 0 || signature.slice(0, separator) !== version) return yield* fail("UnsupportedVersion")
    const given = fromHex(signature.slice(separator + 1))
    if (given === undefined) return yield* fail("MalformedSignature")
    const expected = yield* mac(key, timestamp, presented.body)
    if (!constantTimeEqual(expected, given)) return yield* fail("Mismatch")
  })
