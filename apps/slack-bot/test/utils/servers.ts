/**
 * Local HTTP servers for the end-to-end tests, on 127.0.0.1 and free ports:
 * - a receiver standing in for Slack's `response_url`, recording every POST;
 * - a Hero harness: the sandbox over HTTP whose scenario (fault script, rate limit) can be reset, counting the
 *   register_pds calls it sees.
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Sandbox from "@hero-pds/sandbox/Sandbox"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"

export interface Posted {
  readonly path: string
  readonly contentType: string | undefined
  readonly body: Record<string, any>
}

export interface Receiver {
  readonly origin: string
  readonly url: (path?: string) => string
  readonly posts: Array<Posted>
  /** The next POST not yet taken, waiting up to `timeoutMs`. */
  readonly next: (timeoutMs?: number) => Promise<Posted>
  /** Answer the next `n` POSTs with `status` (to test retries). */
  readonly failNext: (n: number, status: number) => void
  readonly close: () => Promise<void>
}

export const startReceiver = async (): Promise<Receiver> => {
  const posts: Array<Posted> = []
  let taken = 0
  let failures: { n: number; status: number } = { n: 0, status: 500 }
  const waiters: Array<() => void> = []
  const server = Http.createServer((request, response) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      if (failures.n > 0) {
        failures = { n: failures.n - 1, status: failures.status }
        response.writeHead(failures.status).end("fail")
        return
      }
      posts.push({
        path: request.url ?? "",
        contentType: request.headers["content-type"],
        body: JSON.parse(Buffer.concat(chunks).toString("utf8"))
      })
      response.writeHead(200, { "content-type": "text/plain" }).end("ok")
      waiters.splice(0).forEach((wake) => wake())
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const next = async (timeoutMs = 10_000): Promise<Posted> => {
    const deadline = Date.now() + timeoutMs
    while (posts.length <= taken) {
      const remaining = deadline - Date.now()
      if (remaining <= 0) throw new Error("No follow-up POST arrived in time")
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining)
        waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
    return posts[taken++]!
  }
  return {
    origin,
    url: (path = "/commands/T/1/abc") => `${origin}${path}`,
    posts,
    next,
    failNext: (n, status) => (failures = { n, status }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

export interface HeroHarness {
  readonly url: string
  /** A fresh sandbox with this fault script (rate limit off unless given). */
  readonly reset: (options?: Sandbox.Options) => Effect.Effect<void>
  readonly requests: () => number
  readonly close: () => Promise<void>
}

const dropConnection = Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
  Effect.zipRight(
    Effect.sync(() => NodeHttpServerRequest.toIncomingMessage(request).socket.destroy()),
    Effect.interrupt
  ))

export const startHeroHarness = async (): Promise<HeroHarness> => {
  const scope = Effect.runSync(Scope.make())
  let sandbox: HttpApp.Default<Sandbox.DroppedConnection> = Effect.runSync(Sandbox.make({ rateLimit: false }))
  let requests = 0
  const app = Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    if (request.url.startsWith("/v1/")) requests++
    return yield* sandbox
  })
  const serve = Effect.gen(function*() {
    const server = yield* NodeHttpServer.make(() => Http.createServer(), { host: "127.0.0.1", port: 0 })
    yield* server.serve(Effect.catchTag(app, "DroppedConnection", () => dropConnection))
    return server.address._tag === "TcpAddress" ? server.address.port : 0
  })
  const exit = await Effect.runPromiseExit(Scope.extend(serve, scope))
  if (Exit.isFailure(exit)) {
    await Effect.runPromise(Scope.close(scope, exit))
    throw Cause.squash(exit.cause)
  }
  return {
    url: `http://127.0.0.1:${exit.value}`,
    reset: (options = {}) =>
      Effect.map(Sandbox.make({ rateLimit: false, ...options }), (fresh) => {
        sandbox = fresh
        requests = 0
      }),
    requests: () => requests,
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}
