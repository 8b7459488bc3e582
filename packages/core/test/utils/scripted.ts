import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as HeroClient from "../../src/HeroClient.js"
import * as HeroConfig from "../../src/HeroConfig.js"

/** One scripted answer: a response, a dropped connection, or a response after a delay. */
export type Reply =
  | {
    readonly status: number
    readonly headers?: Record<string, string>
    readonly body?: string
    readonly delayMs?: number
  }
  | { readonly drop: true; readonly cause?: Error }

/** What the client sent, as seen by the scripted server. */
export interface Sent {
  readonly method: string
  readonly url: string
  readonly headers: Record<string, string>
  readonly body: unknown
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body)
})

export const registered = (patientId: string | number = "98765") => json(200, { patient_id: patientId })

/**
 * A `HeroClient` over an `HttpClient` (through `HeroTransport.layerHttpClient`) that answers from a script, one
 * reply per request (the last repeats), recording every request. Unit tests of classification and retry timing
 * need nothing more.
 */
export const scripted = (replies: ReadonlyArray<Reply>, options: HeroConfig.Options = {}) => {
  const sent: Array<Sent> = []
  const httpClient = HttpClient.make((request, url) =>
    Effect.suspend(() => {
      const body = request.body._tag === "Uint8Array" ? JSON.parse(new TextDecoder().decode(request.body.body)) : null
      sent.push({ method: request.method, url: url.href, headers: { ...request.headers }, body })
      const reply = replies[Math.min(sent.length, replies.length) - 1]!
      if ("drop" in reply) {
        return Effect.fail(
          new HttpClientError.RequestError({
            request,
            reason: "Transport",
            cause: reply.cause,
            description: "socket hang up"
          })
        )
      }
      const response = HttpClientResponse.fromWeb(
        request,
        new Response(reply.body ?? "", { status: reply.status, headers: reply.headers ?? {} })
      )
      return reply.delayMs === undefined ? Effect.succeed(response) : Effect.as(Effect.sleep(reply.delayMs), response)
    })
  )
  const layer = HeroClient.layer.pipe(
    Layer.provide(Layer.succeed(HttpClient.HttpClient, httpClient)),
    Layer.provide(HeroConfig.layer({ apiKey: "test-key-s3cr3t", practiceGroupId: "pg-1", ...options })),
    Layer.orDie
  )
  return { sent, layer }
}
