import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Stream from "effect/Stream"
import * as HeroTransport from "../HeroTransport.js"

interface Folded {
  readonly chunks: Array<Uint8Array>
  size: number
}

const failure = (reason: "Timeout" | "Network", detail: string) =>
  new HeroTransport.TransportFailure({ reason, detail })

const detailOf = (error: HttpClientError.HttpClientError): string =>
  Predicate.hasProperty(error.cause, "name") ? String(error.cause.name) : error.reason

/** Reads at most the cap of the body, stopping the stream as soon as it is passed. */
const readCapped = (response: HttpClientResponse.HttpClientResponse) =>
  Effect.flatMap(
    Stream.runFoldWhile(
      response.stream,
      { chunks: [], size: 0 } as Folded,
      (folded) => folded.size <= HeroTransport.maxBodyBytes,
      (folded, chunk) => {
        folded.size += chunk.byteLength
        if (folded.size <= HeroTransport.maxBodyBytes) folded.chunks.push(chunk)
        return folded
      }
    ),
    ({ chunks, size }): Effect.Effect<HeroTransport.Response, HeroTransport.TransportFailure> =>
      size > HeroTransport.maxBodyBytes
        ? Effect.fail(
          new HeroTransport.TransportFailure({
            reason: "TooLarge",
            detail: "body over 64 KiB",
            status: response.status
          })
        )
        : Effect.succeed({
          status: response.status,
          headers: HeroTransport.pickHeaders((name) => response.headers[name]),
          body: HeroTransport.decodeUtf8(chunks, size)
        })
  )

export const fromHttpClient = (client: HttpClient.HttpClient): HeroTransport.Service => ({
  send: (request) =>
    client.execute(
      HttpClientRequest.bodyText(
        HttpClientRequest.setHeaders(HttpClientRequest.post(request.url), request.headers),
        request.body,
        "application/json"
      )
    ).pipe(
      Effect.flatMap(readCapped),
      Effect.catchTags({
        RequestError: (error) => Effect.fail(failure("Network", detailOf(error))),
        ResponseError: (error) => Effect.fail(failure("Network", detailOf(error)))
      }),
      Effect.timeoutFail({
        duration: request.timeout,
        onTimeout: () => failure("Timeout", "no complete response within the timeout")
      }),
      // A fetch-based client follows redirects unless told otherwise: a 3xx must come back as it is.
      (effect) =>
        Effect.flatMap(Effect.serviceOption(FetchHttpClient.RequestInit), (init) =>
          Effect.provideService(effect, FetchHttpClient.RequestInit, {
            ...Option.getOrUndefined(init),
            redirect: "manual"
          }))
    )
})

export const make: Effect.Effect<HeroTransport.Service, never, HttpClient.HttpClient> = Effect.map(
  HttpClient.HttpClient,
  fromHttpClient
)
