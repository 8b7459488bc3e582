/**
 * Serves the app with Node on `PORT` (default 3000): configuration from the environment (`SLACK_*`,
 * `AUDIT_HASH_KEY`, `HERO_*`), a Hero client per practice over undici, follow-ups as fibers, JSON-lines logs
 * written in batches. The server bounds what a client may hold: headers within 10 s, the whole request within
 * 15 s, idle keep-alive 5 s, at most 1,024 connections. Shutdown is bounded (see `SlackApp.layerFollowUps`).
 *
 * @since 0.1.0
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpServerError from "@effect/platform/HttpServerError"
import * as EnvConfig from "@hero-pds/core/EnvConfig"
import * as HeroConfig from "@hero-pds/core/HeroConfig"
import * as NodeHeroClient from "@hero-pds/node/NodeHeroClient"
import * as Sandbox from "@hero-pds/sandbox/Sandbox"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Http from "node:http"
import * as Body from "./internal/body.js"
import * as Node from "./internal/node.js"
import * as Validate from "./internal/validate.js"
import * as SlackApp from "./SlackApp.js"
import * as SlackConfig from "./SlackConfig.js"
import * as SlackLogger from "./SlackLogger.js"
import * as SlackPractices from "./SlackPractices.js"
import * as SlackSignature from "./SlackSignature.js"

/**
 * How to serve.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Default 3000; 0 picks a free port. */
  readonly port?: number | undefined
  /** Default: every interface. */
  readonly host?: string | undefined
  /** The configuration (e.g. `SlackConfig.layer(env)`); `SlackConfig.layerConfig()` reads the environment. */
  readonly config: Layer.Layer<SlackConfig.SlackConfig, ConfigError.ConfigError>
  /** Where JSON log lines go (default: stdout, in batches). */
  readonly logSink?: SlackLogger.Sink | undefined
  /** The server's limits (default {@link limits}). */
  readonly limits?: Partial<Limits> | undefined
  /** How long shutdown waits for commands in flight (default 7 s). */
  readonly drainMillis?: number | undefined
}

/**
 * The default port.
 *
 * @since 0.1.0
 */
export const defaultPort = 3000

/**
 * What a client may hold: time to send the headers, time to send the whole request, idle time on a kept-alive
 * connection, and connections at once (more are refused).
 *
 * @since 0.1.0
 * @category models
 */
export interface Limits {
  readonly headersTimeoutMillis: number
  readonly requestTimeoutMillis: number
  readonly keepAliveTimeoutMillis: number
  readonly maxConnections: number
}

/**
 * The server's default limits.
 *
 * @since 0.1.0
 */
export const limits: Limits = {
  headersTimeoutMillis: 10_000,
  requestTimeoutMillis: 15_000,
  keepAliveTimeoutMillis: 5_000,
  maxConnections: 1_024
}

/** A Hero client over undici (or the embedded sandbox) for one practice's configuration. */
const clientLayer: SlackPractices.ClientLayer = (config) =>
  Layer.provide(NodeHeroClient.layerWithoutConfig, Layer.succeed(HeroConfig.HeroConfig, config))

/** Stops accepting, lets requests in progress end (up to 1 s), then closes whatever connection is left. */
const stop = (server: Http.Server) =>
  Effect.async<void>((resume) => {
    if (!server.listening) return resume(Effect.void)
    const timer = setTimeout(() => {
      server.closeAllConnections()
      resume(Effect.void)
    }, 1_000)
    server.close(() => {
      clearTimeout(timer)
      resume(Effect.void)
    })
    server.closeIdleConnections()
  })

/**
 * The app served on Node for the lifetime of the layer. Fails with a `ConfigError` naming every variable at
 * fault, or a `ServeError` whose message says why the server could not listen.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<never, ConfigError.ConfigError | HttpServerError.ServeError> =>
  Layer.scopedDiscard(Effect.gen(function*() {
    const context = yield* Layer.build(
      SlackApp.layerFollowUps({ drainMillis: options.drainMillis, scheduler: Node.background }).pipe(
        // Follow-ups over undici (a pool of its own, no redirects): several times cheaper than fetch per POST.
        Layer.provideMerge(
          Layer.mergeAll(SlackPractices.layer, SlackApp.layerCommandQueue, NodeHttpClient.layerUndici)
        ),
        Layer.provideMerge(Layer.succeed(SlackPractices.ClientFactory, clientLayer)),
        Layer.provideMerge(options.config)
      )
    )
    const app = yield* SlackApp.make.pipe(
      Effect.provide(context),
      Effect.provideService(Body.Reader, Node.readBody),
      Effect.provideService(SlackSignature.HmacImplementation, Node.hmac)
    )
    const bounds = { ...limits, ...options.limits }
    const server = Http.createServer({
      headersTimeout: bounds.headersTimeoutMillis,
      requestTimeout: bounds.requestTimeoutMillis,
      keepAliveTimeout: bounds.keepAliveTimeoutMillis,
      // How often the timeouts are checked (Node's default, 30 s, would let a slow client hold on far longer).
      connectionsCheckingInterval: Math.min(1_000, bounds.headersTimeoutMillis)
    })
    server.maxConnections = bounds.maxConnections
    const port = options.port ?? defaultPort
    const httpServer = yield* NodeHttpServer.make(() => server, {
      port,
      ...(options.host === undefined ? {} : { host: options.host })
    }).pipe(
      Effect.mapError((error) =>
        new HttpServerError.ServeError({
          cause: new Error(Node.listenFailure(error.cause, { host: options.host ?? "0.0.0.0", port }))
        })
      )
    )
    // No server span per request: the app logs what matters, and a span costs on every acknowledgement.
    yield* httpServer.serve(Effect.provide(app, context)).pipe(
      Effect.locally(HttpMiddleware.currentTracerDisabledWhen, () => true)
    )
    yield* Effect.addFinalizer(() => stop(server))
    const address = httpServer.address
    yield* Effect.annotateLogs(Effect.logInfo("listening"), {
      event: "listening",
      ...(address._tag === "TcpAddress"
        ? { host: address.hostname, port: address.port, url: `http://${address.hostname}:${address.port}` }
        : { path: address.path })
    })
  })).pipe(Layer.provide(loggerLayer(options.logSink)))

/** The JSON-lines logger: to `sink`, or to stdout in batches flushed when the layer is released. */
const loggerLayer = (sink: SlackLogger.Sink | undefined): Layer.Layer<never> => {
  if (sink !== undefined) return SlackLogger.layer(sink)
  return Layer.unwrapScoped(Effect.map(
    Effect.acquireRelease(Effect.sync(Node.batchedStdout), (stdout) => Effect.sync(stdout.flush)),
    (stdout) => SlackLogger.layer(stdout.sink)
  ))
}

const portConfig = EnvConfig.wholeNumber("PORT", { min: 0, max: 65535, fallback: defaultPort })

/**
 * The app served as configured by the environment: `PORT`, `HOST`, `SLACK_*`, `AUDIT_HASH_KEY` and `HERO_*`
 * (with `HERO_ENV=sandbox` and no `HERO_BASE_URL`, the embedded sandbox with its credentials).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig: Layer.Layer<never, ConfigError.ConfigError | HttpServerError.ServeError> = Layer
  .unwrapEffect(
    Effect.map(
      Validate.both(
        Config.all([portConfig, EnvConfig.text("HOST")]),
        SlackConfig.fromConfig(Sandbox.heroConfigDefaults)
      ),
      ([[port, host], config]) =>
        layer({
          port,
          host: Option.getOrUndefined(host),
          config: Layer.succeed(SlackConfig.SlackConfig, config)
        })
    )
  )

/**
 * Serves until interrupted (SIGINT/SIGTERM under `NodeRuntime.runMain`). A start-up failure is reported as one
 * JSON line on stderr naming its cause (every variable at fault, or why the server could not listen), and the
 * program fails.
 *
 * @since 0.1.0
 */
export const main: Effect.Effect<never, ConfigError.ConfigError | HttpServerError.ServeError> = Layer.launch(
  layerConfig
).pipe(
  Effect.tapError((error) =>
    Effect.sync(() =>
      console.error(JSON.stringify({
        time: new Date().toISOString(),
        level: "FATAL",
        event: "startup_failed",
        message: ConfigError.isConfigError(error)
          ? HeroConfig.HeroConfigError.fromConfigError(error).message
          : `Could not start the server: ${error.cause instanceof Error ? error.cause.message : "unknown cause"}`
      }))
    )
  )
)
