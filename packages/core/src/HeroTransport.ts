/**
 * How one attempt reaches Hero: a request in; its status, the few headers the client reads and a bounded text body
 * out. A transport never follows a redirect, ends the whole attempt (connect, headers and body) within the request's
 * `timeout`, and refuses a body over {@link maxBodyBytes} (after decompression) without reading the rest.
 *
 * Each adapter implements it natively (undici in `@hero-pds/node`, `fetch` in `@hero-pds/edge`);
 * {@link layerHttpClient} adapts any `@effect/platform` `HttpClient` for Effect users who bring their own.
 *
 * @since 0.2.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as internal from "./internal/httpClientTransport.js"

/**
 * One attempt to send: always a `POST` of a JSON body.
 *
 * @since 0.2.0
 * @category models
 */
export interface Request {
  /** Absolute URL. */
  readonly url: string
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  /** The JSON body. */
  readonly body: string
  /** Milliseconds the whole attempt may take: connecting, sending, the headers and the full body. */
  readonly timeout: number
}

/**
 * The response headers a transport hands back; any other header is never read.
 *
 * @since 0.2.0
 */
export const responseHeaders = ["retry-after", "retry-after-ms", "x-request-id"] as const

/**
 * One of {@link responseHeaders}.
 *
 * @since 0.2.0
 * @category models
 */
export type ResponseHeader = typeof responseHeaders[number]

/**
 * What one attempt got back.
 *
 * @since 0.2.0
 * @category models
 */
export interface Response {
  readonly status: number
  readonly headers: { readonly [K in ResponseHeader]?: string | undefined }
  /** The body as UTF-8 text, at most {@link maxBodyBytes} bytes of it. */
  readonly body: string
}

/**
 * The largest response body a transport reads, in bytes after decompression: 64 KiB.
 *
 * @since 0.2.0
 */
export const maxBodyBytes = 64 * 1024

/**
 * Why an attempt got no usable response: `Timeout` (the attempt's `timeout` passed), `Network` (no connection, or it
 * broke) or `TooLarge` (a body over {@link maxBodyBytes}, with the status it came with). `detail` names the cause
 * (an error code or name), never the request.
 *
 * @since 0.2.0
 * @category errors
 */
export class TransportFailure extends Data.TaggedError("TransportFailure")<{
  readonly reason: "Timeout" | "Network" | "TooLarge"
  readonly detail: string
  /** The response status, for `TooLarge`. */
  readonly status?: number | undefined
}> {}

/**
 * @since 0.2.0
 * @category models
 */
export interface Service {
  /** Sends one attempt. Interrupting it aborts the request. */
  readonly send: (request: Request) => Effect.Effect<Response, TransportFailure>
  /**
   * The same attempt in callback form, when the transport has one (every transport built with {@link make}): lets
   * the Promise client run a call's first attempt without starting a fiber.
   */
  readonly start?: Start | undefined
}

/**
 * A callback-style sender: begins the attempt, calls `done` exactly once with its outcome, and returns a function
 * that aborts it (`done` is then called with a `Network` failure, if it was not called already).
 *
 * @since 0.2.0
 * @category models
 */
export type Start = (
  request: Request,
  done: (outcome: Either.Either<Response, TransportFailure>) => void
) => () => void

/**
 * The transport service.
 *
 * @since 0.2.0
 * @category tags
 */
export class HeroTransport extends Context.Tag("@hero-pds/core/HeroTransport")<HeroTransport, Service>() {}

/**
 * A transport from a callback-style sender (see {@link Start}); its `send` aborts the attempt when the effect is
 * interrupted.
 *
 * The abort runs when the fiber ends before the attempt does (an interrupted fiber can only end), not from an
 * interruption handler around the attempt, which measured about 2 us a call, a fifth of the client's own work.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (start: Start): Service => ({
  start,
  send: (request) =>
    Effect.withFiberRuntime((fiber) =>
      Effect.async<Response, TransportFailure>((resume) => {
        let settled = false
        let observed = false
        const abort = start(request, (outcome) => {
          settled = true
          if (observed) fiber.removeObserver(abort)
          resume(outcome)
        })
        if (!settled) {
          fiber.addObserver(abort)
          observed = true
        }
      })
    )
})

/**
 * Reads the headers the client needs from any header lookup.
 *
 * @since 0.2.0
 */
export const pickHeaders = (get: (name: ResponseHeader) => string | null | undefined): Response["headers"] => {
  const headers: { [K in ResponseHeader]?: string } = {}
  for (const name of responseHeaders) {
    const value = get(name)
    if (value !== null && value !== undefined) headers[name] = value
  }
  return headers
}

/**
 * Reads a web `ReadableStream` body as UTF-8 text, cancelling it as soon as it passes {@link maxBodyBytes}
 * (`undefined` then). Works on any runtime with web streams.
 *
 * @since 0.2.0
 */
export const readBody = async (body: ReadableStream<Uint8Array> | null): Promise<string | undefined> => {
  if (body === null) return ""
  const reader = body.getReader()
  const chunks: Array<Uint8Array> = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBodyBytes) {
      await reader.cancel().catch(() => undefined)
      return undefined
    }
    chunks.push(value)
  }
  return decodeUtf8(chunks, size)
}

/**
 * Joins body chunks and decodes them as UTF-8 (invalid bytes become U+FFFD).
 *
 * @since 0.2.0
 */
export const decodeUtf8 = (chunks: ReadonlyArray<Uint8Array>, size: number): string => {
  if (chunks.length === 1) return new TextDecoder().decode(chunks[0])
  const joined = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    joined.set(chunk, offset)
    offset += chunk.byteLength
  }
  return new TextDecoder().decode(joined)
}

/**
 * A transport over an `@effect/platform` `HttpClient`: the attempt's timeout is an Effect timer (so `TestClock` drives
 * it), the body is read as a stream with the cap, and a `fetch`-based client is told not to follow redirects (a 3xx
 * comes back as it is). Another client must not follow redirects itself (the platform's clients do not, unless
 * wrapped with `HttpClient.followRedirects`).
 *
 * @since 0.2.0
 * @category constructors
 */
export const fromHttpClient: (client: HttpClient.HttpClient) => Service = internal.fromHttpClient

/**
 * {@link HeroTransport} over the `HttpClient` in the context (see {@link fromHttpClient}).
 *
 * @since 0.2.0
 * @category layers
 */
export const layerHttpClient: Layer.Layer<HeroTransport, never, HttpClient.HttpClient> = /* @__PURE__ */ Layer
  .effect(HeroTransport, internal.make)
