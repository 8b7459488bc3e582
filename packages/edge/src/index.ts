/**
 * The edge adapter for Hero's `register_pds`: a fetch-backed `HeroClient` layer and Promise API for Cloudflare
 * Workers, Vercel Edge, Deno and browsers, with no Node API anywhere in its graph.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as EdgeHeroClient from "./EdgeHeroClient.js"

/**
 * @since 0.2.0
 */
export * as EdgeHeroTransport from "./EdgeHeroTransport.js"

export {
  /**
   * The Promise client over `fetch`: `createHeroClient(options, env?)`. See `EdgeHeroClient.createHeroClient`.
   *
   * @since 0.1.0
   * @category constructors
   */
  createHeroClient
} from "./EdgeHeroClient.js"

export type {
  /**
   * `HERO_*` bindings as a Worker receives them in `env`: the fallback for settings left out of the options.
   *
   * @since 0.1.0
   * @category models
   */
  Env,
  /**
   * The settings of `createHeroClient`: `HeroConfig.Options` plus an optional `fetch`.
   *
   * @since 0.1.0
   * @category models
   */
  Options
} from "./EdgeHeroClient.js"

/**
 * The error classes, result classes and types Promise users need.
 *
 * @since 0.1.0
 */
export * from "@hero-pds/core/PromiseApi"
