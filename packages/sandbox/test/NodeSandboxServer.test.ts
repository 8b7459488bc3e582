import { assert, describe, it, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as NodeSandboxServer from "../src/NodeSandboxServer.js"
import * as Sandbox from "../src/Sandbox.js"
import { auth, janeSmith } from "./utils.js"

const register = (url: string) =>
  fetch(`${url}/v1/patients/register_pds`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify(janeSmith)
  })

describe("NodeSandboxServer", () => {
  layer(NodeSandboxServer.layer({ faults: { script: [Sandbox.Fault.Drop()] } }))("over real HTTP", (it) => {
    it.effect("listens on 127.0.0.1, drops a connection for real, then answers", () =>
      Effect.gen(function*() {
        const { port, url } = yield* NodeSandboxServer.NodeSandboxServer
        assert.strictEqual(url, `http://127.0.0.1:${port}`)
        const dropped = yield* Effect.flip(Effect.tryPromise(() => register(url)))
        assert.strictEqual(dropped._tag, "UnknownException")
        const response = yield* Effect.promise(() => register(url))
        assert.strictEqual(response.status, 200)
        assert.match(response.headers.get("x-request-id") ?? "", /^sandbox-\d+$/)
        assert.deepStrictEqual(yield* Effect.promise(() => response.json()), { patient_id: "98765" })
      }))
  })

  it("starts and closes from Promise code", async () => {
    const server = await NodeSandboxServer.start()
    const health = await fetch(`${server.url}/healthz`)
    assert.deepStrictEqual([health.status, await health.json()], [200, { status: "ok" }])
    await server.close()
    await fetch(`${server.url}/healthz`).then(
      () => assert.fail("the server should be closed"),
      (error: unknown) => assert.instanceOf(error, TypeError)
    )
  })
})
