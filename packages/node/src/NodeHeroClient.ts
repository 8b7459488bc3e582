/**
 * `HeroClient` on Node: over undici (`NodeHeroTransport`) with a dedicated keep-alive connection pool that honours
 * `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`, or any undici dispatcher given; or, in the `sandbox` environment at its
 * default address, over the embedded `@hero-pds/sandbox` in memory.
 *
 * @since 0.1.0
 */
import * as HeroClient from "@hero-pds/core/HeroClient"
import * as HeroConfig from "@hero-pds/core/HeroConfig"
import * as HeroTransport from "@hero-pds/core/HeroTransport"
import * as PromiseClient from "@hero-pds/core/PromiseClient"
import * as Sandbox from "@hero-pds/sandbox/Sandbox"
import * as SandboxHttpClient from "@hero-pds/sandbox/SandboxHttpClient"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as NodeHeroTransport from "./NodeHeroTransport.js"

/**
 * The options of `createHeroClient`: every setting may be left out and is then read from its `HERO_*` variable;
 * `dispatcher` is any undici dispatcher (default: a dedicated one that honours `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends HeroConfig.Options, NodeHeroTransport.Options {}

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
 * The transport for a configuration: the in-memory sandbox when embedded, else undici ({@link NodeHeroTransport}).
 *
 * @since 0.2.0
 * @category layers
 */
export const layerTransport = (
  config: HeroConfig.Service,
  options: NodeHeroTransport.Options = {}
): Layer.Layer<HeroTransport.HeroTransport> =>
  isEmbeddedSandbox(config)
    ? Layer.provide(HeroTransport.layerHttpClient, SandboxHttpClient.layer())
    : NodeHeroTransport.layer(options)

const withoutConfig = (options: NodeHeroTransport.Options) =>
  Layer.unwrapEffect(
    Effect.map(
      HeroConfig.HeroConfig,
      (config) => HeroClient.layerTransport.pipe(Layer.provide(layerTransport(config, options)))
    )
  )

/**
 * `HeroClient` for the `HeroConfig` in the context (like platform's `layerUndiciWithoutDispatcher`, the dependency
 * is left to the caller), over a dedicated dispatcher that honours `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWithoutConfig: Layer.Layer<HeroClient.HeroClient, never, HeroConfig.HeroConfig> = withoutConfig({})

const fromConfig = (
  config: Effect.Effect<HeroConfig.Service, ConfigError.ConfigError>,
  options: NodeHeroTransport.Options = {}
) => Layer.provide(withoutConfig(options), Layer.effect(HeroConfig.HeroConfig, config))

const configOptions = ({ dispatcher: _, ...options }: Options): HeroConfig.Options => options

/**
 * `HeroClient` from caller options (no environment variables read).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<HeroClient.HeroClient, ConfigError.ConfigError> =>
  fromConfig(HeroConfig.make(configOptions(options), undefined, Sandbox.heroConfigDefaults), options)

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
  const config = PromiseClient.resolveConfig(configOptions(options), process.env, Sandbox.heroConfigDefaults)
  return PromiseClient.make(config, layerTransport(config, options))
}
