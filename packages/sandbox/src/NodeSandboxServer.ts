/**
 * Serves a sandbox over real HTTP with Node, on 127.0.0.1 and a random port unless told otherwise.
 * Node-only, so it is not in the package's index: import it from `@hero-pds/sandbox/NodeSandboxServer`.
 *
 * @since 0.1.0
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import * as Http from "node:http"
import * as Sandbox from "./Sandbox.js"

/**
 * The sandbox's options, plus where to listen.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends Sandbox.Options {
  /** Default `0`: a free port chosen by the system. */
  readonly port?: number | undefined
  /** Default `127.0.0.1`. Anything but a loopback address exposes the sandbox to the network. */
  readonly host?: string | undefined
}

/**
 * Where a running sandbox listens, e.g. `{ url: "http://127.0.0.1:4010", port: 4010 }`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Address {
  readonly url: string
  readonly port: number
}

/**
 * The address of the sandbox served by {@link layer}.
 *
 * @since 0.1.0
 * @category tags
 */
export class NodeSandboxServer
  extends Context.Tag("@hero-pds/sandbox/NodeSandboxServer")<NodeSandboxServer, Address>()
{}

/** Destroys the request's socket, so the client sees the connection drop, and answers nothing. */
const dropConnection = Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
  Effect.zipRight(
    Effect.sync(() => NodeHttpServerRequest.toIncomingMessage(request).socket.destroy()),
    Effect.interrupt
  ))

/**
 * Serves a fresh sandbox until the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const serve = (options: Options = {}): Effect.Effect<Address, HttpServerError.ServeError, Scope.Scope> =>
  Effect.gen(function*() {
    const host = options.host ?? "127.0.0.1"
    const app = yield* Sandbox.make(options)
    const server = yield* NodeHttpServer.make(() => Http.createServer(), { host, port: options.port ?? 0 })
    yield* server.serve(Effect.catchTag(app, "DroppedConnection", () => dropConnection))
    const port = server.address._tag === "TcpAddress" ? server.address.port : 0
    return { url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`, port }
  })

/**
 * Serves a fresh sandbox for the lifetime of the layer and provides its {@link Address}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<NodeSandboxServer, HttpServerError.ServeError> =>
  Layer.scoped(NodeSandboxServer, serve(options))

/**
 * A running sandbox, for code outside Effect.
 *
 * @since 0.1.0
 * @category models
 */
export interface Started extends Address {
  /** Stops the server. */
  readonly close: () => Promise<void>
}

/**
 * Starts a sandbox server from plain Promise code (CLI or Miniflare tests); `close()` stops it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const start = async (options?: Options): Promise<Started> => {
  const scope = Effect.runSync(Scope.make())
  const exit = await Effect.runPromiseExit(Scope.extend(serve(options), scope))
  if (Exit.isFailure(exit)) {
    await Effect.runPromise(Scope.close(scope, exit))
    throw Cause.squash(exit.cause)
  }
  return { ...exit.value, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}
