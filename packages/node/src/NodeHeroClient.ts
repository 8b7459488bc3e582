/**
 * `HeroClient` on Node: over undici with a dedicated keep-alive connection pool, or, in the `sandbox`
 * environment at its default address, over the embedded `@hero-pds/sandbox` in memory.
 *
 * @since 0.1.0
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HeroClient from "@hero-pds/core/HeroClient"
import * as HeroConfig from "@hero-pds/core/HeroConfig"
import * as PromiseClient from "@hero-pds/core/PromiseClient"
import * as SandboxHttpClient from "@hero-pds/sandbox/SandboxHttpClient"
import type * as ConfigError from "effect/ConfigError"
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
  config.environment === "sandbox" && config.baseUrl === HeroConfig.baseUrls.sandbox

/**
 * The `HttpClient` for a configuration: the in-memory sandbox when embedded, else undici with its own
 * keep-alive `Agent` (released with the layer).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerHttpClient = (config: HeroConfig.Service): Layer.Layer<HttpClient.HttpClient> =>
  isEmbeddedSandbox(config) ? SandboxHttpClient.layer() : NodeHttpClient.layerUndici

const fromConfig = (config: Effect.Effect<HeroConfig.Service, ConfigError.ConfigError>) =>
  Layer.unwrapEffect(
    Effect.map(config, (service) =>
      HeroClient.layer.pipe(
        Layer.provide(Layer.succeed(HeroConfig.HeroConfig, service)),
        Layer.provide(layerHttpClient(service))
      ))
  )

/**
 * `HeroClient` from caller options (no environment variables read).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<HeroClient.HeroClient, ConfigError.ConfigError> =>
  fromConfig(HeroConfig.make(options))

/**
 * `HeroClient` from the `HERO_*` variables, read through Effect's `Config`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig: Layer.Layer<HeroClient.HeroClient, ConfigError.ConfigError> = fromConfig(
  HeroConfig.fromConfig
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
  const config = PromiseClient.resolveConfig(options, process.env)
  return PromiseClient.make(config, layerHttpClient(config))
}
