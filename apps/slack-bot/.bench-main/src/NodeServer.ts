/**
 * Serves the app with Node on `PORT` (default 3000): the Slack configuration and the Hero client from the
 * environment (`SLACK_*`, `HERO_*`), follow-ups as fibers that are drained on shutdown, JSON-lines logs.
 *
 * @since 0.1.0
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpServer from "@effect/platform/HttpServer"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import type * as HeroClient from "@hero-pds/core/HeroClient"
import * as HeroConfig from "@hero-pds/core/HeroConfig"
import * as NodeHeroClient from "@hero-pds/node/NodeHeroClient"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Http from "node:http"
import * as SlackApp from "./SlackApp.js"
import * as SlackConfig from "./SlackConfig.js"
import * as SlackLogger from "./SlackLogger.js"

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
  readonly slack: Layer.Layer<SlackConfig.SlackConfig, ConfigError.ConfigError>
  readonly hero: Layer.Layer<HeroClient.HeroClient, ConfigError.ConfigError>
  /** Where JSON log lines go (default stdout). */
  readonly logSink?: SlackLogger.Sink | undefined
}

/**
 * The default port.
 *
 * @since 0.1.0
 */
export const defaultPort = 3000

const logListening = HttpServer.addressWith((address) =>
  Effect.annotateLogs(Effect.logInfo("listening"), {
    event: "listening",
    ...(address._tag === "TcpAddress"
      ? { host: address.hostname, port: address.port, url: HttpServer.formatAddress(address) }
      : { path: address.path })
  })
)

/**
 * The app served on Node for the lifetime of the layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<never, ConfigError.ConfigError | HttpServerError.ServeError> =>
  Layer.unwrapEffect(Effect.map(SlackApp.make, (app) => HttpServer.serve(app))).pipe(
    Layer.provide(Layer.effectDiscard(logListening)),
    Layer.provide(Layer.mergeAll(options.slack, options.hero, FetchHttpClient.layer, SlackApp.layerFollowUps())),
    Layer.provide(
      NodeHttpServer.layer(() => Http.createServer(), {
        port: options.port ?? defaultPort,
        ...(options.host === undefined ? {} : { host: options.host })
      })
    ),
    Layer.provide(SlackLogger.layer(options.logSink))
  )

const portConfig = Config.option(Config.string("PORT")).pipe(
  Config.mapOrFail((value) => {
    const text = Option.getOrUndefined(value)?.trim()
    if (text === undefined || text === "") return Either.right(defaultPort)
    const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN
    return port >= 0 && port <= 65535
      ? Either.right(port)
      : Either.left(ConfigError.InvalidData(["PORT"], "PORT must be a port number from 0 to 65535"))
  })
)

/**
 * The app served as configured by the environment: `PORT`, `HOST`, `SLACK_*` and `HERO_*` (with
 * `HERO_ENV=sandbox` and no `HERO_BASE_URL`, the embedded sandbox).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFromEnv: Layer.Layer<never, ConfigError.ConfigError | HttpServerError.ServeError> = Layer
  .unwrapEffect(
    Effect.map(
      Config.all([portConfig, Config.option(Config.string("HOST"))]),
      ([port, host]) =>
        layer({
          port,
          host: Option.getOrUndefined(host),
          slack: SlackConfig.layerConfig,
          hero: NodeHeroClient.layerConfig
        })
    )
  )

/**
 * Serves until interrupted (SIGINT/SIGTERM under `NodeRuntime.runMain`). Bad configuration is reported as one
 * JSON line on stderr naming each variable at fault, and the program fails.
 *
 * @since 0.1.0
 */
export const main: Effect.Effect<never, ConfigError.ConfigError | HttpServerError.ServeError> = Layer.launch(
  layerFromEnv
).pipe(
  Effect.tapError((error) =>
    Effect.sync(() =>
      console.error(JSON.stringify({
        time: new Date().toISOString(),
        level: "FATAL",
        event: "startup_failed",
        message: ConfigError.isConfigError(error)
          ? `Invalid configuration: ${HeroConfig.configErrorMessages(error).join("; ")}`
          : `Could not start the server: ${error.message}`
      }))
    )
  )
)
