/**
 * A sandbox served over real HTTP on 127.0.0.1 (Node side of the edge tests), whose scenario can be reset over
 * HTTP, so code inside workerd or the edge-runtime VM can ask for a fresh sandbox without touching Node:
 *
 * - `POST /__harness/scenario` with `{ faults?, rateLimit? }`: a fresh sandbox (new fault script, state, counter);
 * - `GET /__harness/requests`: `{ requests }`, how many register_pds calls the current sandbox has seen;
 * - anything else goes to the current sandbox (`POST /v1/patients/register_pds`, `GET /healthz`).
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as RegisterPds from "@hero-pds/core/RegisterPds"
import * as Sandbox from "@hero-pds/sandbox/Sandbox"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import * as Http from "node:http"
import type { ScenarioRequest } from "./scenario.js"

/** A running harness. */
export interface Harness {
  /** `http://127.0.0.1:<port>`: the base URL clients use. */
  readonly url: string
  readonly close: () => Promise<void>
}

const dropConnection = Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
  Effect.zipRight(
    Effect.sync(() => NodeHttpServerRequest.toIncomingMessage(request).socket.destroy()),
    Effect.interrupt
  ))

const serve = Effect.gen(function*() {
  let sandbox: HttpApp.Default<Sandbox.DroppedConnection> = yield* Sandbox.make()
  let requests = 0

  const app = Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const path = request.url.split("?")[0]
    if (path === "/__harness/scenario" && request.method === "POST") {
      const body = (yield* Effect.orDie(request.json)) as ScenarioRequest
      sandbox = yield* Sandbox.make({
        faults: { script: body.faults ?? [] },
        ...(body.rateLimit === false ? { rateLimit: false } : {})
      })
      requests = 0
      return HttpServerResponse.empty({ status: 204 })
    }
    if (path === "/__harness/requests") return yield* HttpServerResponse.json({ requests })
    if (path === RegisterPds.path) requests++
    return yield* sandbox
  })

  const server = yield* NodeHttpServer.make(() => Http.createServer(), { host: "127.0.0.1", port: 0 })
  yield* server.serve(Effect.catchTag(app, "DroppedConnection", () => dropConnection))
  const port = server.address._tag === "TcpAddress" ? server.address.port : 0
  return `http://127.0.0.1:${port}`
})

/** Starts a harness on 127.0.0.1 and a free port. */
export const start = async (): Promise<Harness> => {
  const scope = Effect.runSync(Scope.make())
  const exit = await Effect.runPromiseExit(Scope.extend(serve, scope))
  if (Exit.isFailure(exit)) {
    await Effect.runPromise(Scope.close(scope, exit))
    throw Cause.squash(exit.cause)
  }
  return { url: exit.value, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}
