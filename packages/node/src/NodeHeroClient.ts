/**
 * `HeroClient` on Node: over undici with a dedicated keep-alive connection pool, or, in the `sandbox`
 * environment at its default address, over the embedded `@hero-pds/sandbox` in memory.
 *
 * @since 0.1.0
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Undici from "@effect/platform-node/Undici"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HeroClient from "@hero-pds/core/HeroClient"
import * as HeroConfig from "@hero-pds/core/HeroConfig"
import * as PromiseClient from "@hero-pds/core/PromiseClient"
import * as Sandbox from "@hero-pds/sandbox/Sandbox"
import * as SandboxHttpClient from "@hero-pds/sandbox/SandboxHttpClient"
import type * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * The options of `createHeroClient`: every one may be left out and is then read from its `HERO_*` variable.
 *
 * @since 0.1.0
 * @category models
 */
export type Options = HeroConfig.Options

/**
 * Whether a configuration means the embedded sandbox: the `sandbox` environment at its default base URL.
 * (Point `baseUrl` elsewhere, e.g. at `hero-pds sandbox`, to reach a sandbox over HTTP.)
 *
 * @since 0.1.0
 * @category predicates
 */
export const isEmbeddedSandbox = (config: HeroConfig.Service): boolean =>
  config.environment === "sandbox" && config.baseUrl === Sandbox.defaultUrl

/**
 * undici with a dedicated keep-alive `Agent` (released with the layer) that enforces the per-attempt timeout
 * itself: headers within `config.timeout`, and no pause longer than that in the body. Native timers cost far
 * less than an Effect race per attempt, so `HeroClient.TimeoutEnforcement` is set to `"transport"`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerUndici = (
  config: HeroConfig.Service
): Layer.Layer<HttpClient.HttpClient | HeroClient.TimeoutEnforcement> => {
  const timeout = Duration.toMillis(config.timeout)
  const withTimeouts: Undici.Dispatcher.DispatcherComposeInterceptor = (dispatch) => (options, handler) =>
    dispatch({ ...options, headersTimeout: timeout, bodyTimeout: timeout }, handler)
  return Layer.merge(
    Layer.scoped(
      HttpClient.HttpClient,
      Effect.map(
        Effect.acquireRelease(Effect.sync(() => new Undici.Agent()), (agent) => Effect.promise(() => agent.destroy())),
        (agent) => NodeHttpClient.makeUndici(agent.compose(withTimeouts))
      )
    ),
    Layer.succeed(HeroClient.TimeoutEnforcement, "transport")
  )
}

/**
 * The `HttpClient` for a configuration: the in-memory sandbox when embedded, else {@link layerUndici}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerHttpClient = (
  config: HeroConfig.Service
): Layer.Layer<HttpClient.HttpClient | HeroClient.TimeoutEnforcement> =>
  isEmbeddedSandbox(config)
    ? Layer.merge(SandboxHttpClient.layer(), Layer.succeed(HeroClient.TimeoutEnforcement, "effect"))
    : layerUndici(config)

/**
 * `HeroClient` for the `HeroConfig` in the context (like platform's `layerUndiciWithoutDispatcher`, the dependency
 * is left to the caller).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWithoutConfig: Layer.Layer<HeroClient.HeroClient, never, HeroConfig.HeroConfig> = Layer
  .unwrapEffect(
    Effect.map(HeroConfig.HeroConfig, (config) => HeroClient.layer.pipe(Layer.provide(layerHttpClient(config))))
  )

const fromConfig = (config: Effect.Effect<HeroConfig.Service, ConfigError.ConfigError>) =>
  Layer.provide(layerWithoutConfig, Layer.effect(HeroConfig.HeroConfig, config))

/**
 * `HeroClient` from caller options (no environment variables read).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<HeroClient.HeroClient, ConfigError.ConfigError> =>
  fromConfig(HeroConfig.make(options, undefined, Sandbox.heroConfigDefaults))

/**
 * `HeroClient` from the `HERO_*` variables, read through Effect's `Config`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig: Layer.Layer<HeroClient.HeroClient, ConfigError.ConfigError> = fromConfig(
  HeroConfig.fromConfig(Sandbox.heroConfigDefaults)
)

/**
 * A Promise client for code that does not use Effect. Options left out are read from the `HERO_*` variables;
 * bad configuration throws `HeroConfigError` here, naming the option or variable. Calls reject with the
 * `HeroError` itself. Make one per process and reuse it (it holds one connection pool); `close()` releases it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const createHeroClient = (options: Options = {}): PromiseClient.PromiseClient => {
  const config = PromiseClient.resolveConfig(options, process.env, Sandbox.heroConfigDefaults)
  return PromiseClient.make(config, layerHttpClient(config))
}
