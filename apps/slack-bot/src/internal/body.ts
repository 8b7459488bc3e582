/**
 * Reading a request's raw body within a limit. The default reads the platform's stream (any runtime); the Node
 * entry swaps in a reader over the socket's own events, which costs a fraction of a Stream per request.
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

/** More than the limit was sent. */
export class TooLarge {
  readonly _tag = "TooLarge"
}

/** The body could not be read (the connection failed). */
export class Unreadable {
  readonly _tag = "Unreadable"
}

/** Reads at most `maxBytes` of a body. */
export type Read = (
  request: HttpServerRequest.HttpServerRequest,
  maxBytes: number
) => Effect.Effect<Uint8Array, TooLarge | Unreadable>

/**
 * Past the limit a body is still read (and thrown away) up to this many times the limit, so that the client
 * gets its 413; beyond it reading stops, which on Node drops the connection.
 */
export const drainFactor = 4

/** Joins chunks into one array. */
export const concat = (chunks: ReadonlyArray<Uint8Array>, total: number): Uint8Array => {
  if (chunks.length === 1) return chunks[0]!
  const body = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    body.set(chunk, offset)
    offset += chunk.length
  }
  return body
}

/** Reads the platform's body stream, keeping at most the limit, whatever Content-Length said. */
export const readStream: Read = (request, maxBytes) =>
  Effect.suspend(() => {
    if (request.headers["content-length"] === "0") return Effect.succeed(new Uint8Array(0))
    const chunks: Array<Uint8Array> = []
    let total = 0
    return request.stream.pipe(
      Stream.runForEachWhile((chunk) =>
        Effect.sync(() => {
          total += chunk.length
          if (total <= maxBytes) chunks.push(chunk)
          return total <= drainFactor * maxBytes
        })
      ),
      Effect.mapError(() => new Unreadable()),
      Effect.flatMap(() => total > maxBytes ? Effect.fail(new TooLarge()) : Effect.succeed(concat(chunks, total)))
    )
  })

/** The body reader in use (default {@link readStream}). */
export class Reader extends Context.Reference<Reader>()("@hero-pds/slack-bot/BodyReader", {
  defaultValue: (): Read => readStream
}) {}
