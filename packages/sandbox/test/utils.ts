import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Sandbox from "../src/Sandbox.js"

export const auth = { "x-api-key": Sandbox.apiKey, "x-practice-group-id": Sandbox.practiceGroupId }

/** What a test looks at in a response: status, headers, and the body parsed as JSON when it is JSON. */
export interface Reply {
  readonly status: number
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly body: unknown
}

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** Sends a request through the provided `HttpClient` (any base URL works in memory). */
export const send = (request: HttpClientRequest.HttpClientRequest) =>
  Effect.gen(function*() {
    const response = yield* HttpClient.execute(request)
    return { status: response.status, headers: response.headers, body: parse(yield* response.text) } as Reply
  })

/** A URL on the in-memory sandbox: any base URL reaches it. */
export const url = (path: string) => `https://api.sandbox.test${path}`

/** POSTs a register_pds body, with the default credentials unless other headers are given. */
export const register = (body: unknown, headers: Record<string, string> = auth) =>
  send(
    HttpClientRequest.post(url("/v1/patients/register_pds")).pipe(
      HttpClientRequest.setHeaders(headers),
      HttpClientRequest.bodyUnsafeJson(body)
    )
  )

export const heroError = (statusCode: number, message: unknown) => ({ error: true, statusCode, message })

export const janeSmith = { nhs_number: "9000000009", dob: "2010-10-22" }
