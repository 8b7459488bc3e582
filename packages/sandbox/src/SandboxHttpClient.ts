/**
 * An `HttpClient` that answers every request from a sandbox in memory: no sockets, any base URL. The app
 * runs in the caller's fiber, so `TestClock` and `Effect.withRandom` reach the sandbox's rate limit and faults.
 *
 * @since 0.1.0
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import type * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as Sandbox from "./Sandbox.js"

const toBodyInit = (body: HttpBody.HttpBody): Effect.Effect<BodyInit | undefined> => {
  switch (body._tag) {
    case "Empty":
      return Effect.succeed(undefined)
    case "Raw":
    case "Uint8Array":
      return Effect.succeed(body.body as BodyInit)
    case "FormData":
      return Effect.succeed(body.formData)
    case "Stream":
      return Stream.toReadableStreamEffect(body.stream)
  }
}

/**
 * An `HttpClient` that hands each request to an HttpApp in memory. A `DroppedConnection` from the app
 * becomes `HttpClientError.RequestError` with reason `"Transport"`, as a dropped socket would.
 */
const fromApp = (app: HttpApp.Default<Sandbox.DroppedConnection>): HttpClient.HttpClient =>
  HttpClient.make((request, url) =>
    Effect.flatMap(toBodyInit(request.body), (body) => {
      const webRequest = new Request(url, {
        method: request.method,
        headers: request.headers,
        body: body ?? null,
        ...(request.body._tag === "Stream" ? { duplex: "half" } : {})
      })
      return app.pipe(
        Effect.provideService(HttpServerRequest.HttpServerRequest, HttpServerRequest.fromWeb(webRequest)),
        Effect.map((response) => HttpClientResponse.fromWeb(request, HttpServerResponse.toWeb(response))),
        Effect.catchTag("DroppedConnection", (cause) =>
          Effect.fail(
            new HttpClientError.RequestError({
              request,
              reason: "Transport",
              cause,
              description: "the sandbox dropped the connection"
            })
          ))
      )
    })
  )

/**
 * Builds a fresh sandbox and an in-memory `HttpClient` for it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options?: Sandbox.Options): Effect.Effect<HttpClient.HttpClient> =>
  Effect.map(Sandbox.make(options), fromApp)

/**
 * Provides `HttpClient.HttpClient` backed by a fresh sandbox, e.g.
 * `HeroClient.layer.pipe(Layer.provide(SandboxHttpClient.layer({ faults: { script: [...] } })))`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Sandbox.Options): Layer.Layer<HttpClient.HttpClient> =>
  Layer.effect(HttpClient.HttpClient, make(options))
