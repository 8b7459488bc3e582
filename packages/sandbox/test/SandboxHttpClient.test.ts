import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Sandbox from "../src/Sandbox.js"
import * as SandboxHttpClient from "../src/SandboxHttpClient.js"
import { auth, janeSmith, register, send } from "./utils.js"

describe("SandboxHttpClient", () => {
  it.effect("answers on any base URL, with a streamed body too", () =>
    Effect.gen(function*() {
      const replies = yield* Effect.forEach(
        ["http://localhost:4010", "https://api.staging.htech.app", "http://[::1]:8787"],
        (base) =>
          send(
            HttpClientRequest.post(`${base}/v1/patients/register_pds`).pipe(
              HttpClientRequest.setHeaders(auth),
              HttpClientRequest.bodyStream(Stream.make(new TextEncoder().encode(JSON.stringify(janeSmith))))
            )
          )
      )
      assert.deepStrictEqual(replies.map((reply) => reply.status), [200, 200, 200])
    }).pipe(Effect.provide(SandboxHttpClient.layer())))

  it.effect("turns a dropped connection into a transport error", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(register(janeSmith))
      assert.deepStrictEqual([error._tag, error.reason], ["RequestError", "Transport"])
      assert.strictEqual((yield* register(janeSmith)).status, 200)
    }).pipe(Effect.provide(SandboxHttpClient.layer({ faults: { script: [Sandbox.Fault.Drop()] } }))))
})
