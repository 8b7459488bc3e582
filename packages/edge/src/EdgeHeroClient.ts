/**
 * The edge adapter: `HeroClient` over `fetch` (`EdgeHeroTransport`), for Cloudflare Workers, Vercel Edge,
 * Deno and browsers. It reads nothing from `process` and imports no Node built-in: settings come from the caller
 * (a Worker passes its `env` bindings), and no effect, timer or random number runs at import time.
 *
 * @since 0.1.0
 */
import * as HeroClient from "@hero-pds/core/HeroClient"
import * as HeroConfig from "@hero-pds/core/HeroConfig"
import * as PromiseClient from "@hero-pds/core/PromiseClient"
import type * as ConfigError from "effect/ConfigError"
import * as Layer from "effect/Layer"
import * as EdgeHeroTransport from "./EdgeHeroTransport.js"

/**
 * The settings of an edge client: those of `HeroConfig.Options` (`apiKey`, `practiceGroupId`, `environment`,
 * `baseUrl`, `timeoutMs`, `maxRetries`, `maxRetryAfterMs`, ...) plus, optionally, the `fetch` to send requests
 * with.
 *
 * In the edge adapter the `sandbox` environment means the sandbox's default base URL (`http://127.0.0.1:4010`,
 * where `hero-pds sandbox` serves) unless `baseUrl` is given; there is no embedded emulator.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends HeroConfig.Options {
  /**
   * The `fetch` used for every request, looked up per request when left out (so `globalThis.fetch` as the
   * runtime provides it). Pass one to route through a Cloudflare service binding (`env.HERO_PROXY.fetch`),
   * an instrumented fetch, or a test double.
   */
  readonly fetch?: typeof globalThis.fetch | undefined
}

/**
 * `HERO_*` bindings as a Worker receives them in `env` (any object, so a Worker's own `Env` interface fits), or
 * an environment record such as `Deno.env.toObject()`, read through a `ConfigProvider` (`EnvConfig.fromRecord`):
 * strings are used as they are, numbers and booleans (wrangler `[vars]` may be JSON values) as text, and anything
 * else (KV namespaces, service bindings, ...) is ignored.
 *
 * @since 0.1.0
 * @category models
 */
export type Env = object

const configOptions = (options: Options): HeroConfig.Options => {
  const { fetch: _fetch, ...config } = options
  return config
}

/**
 * The Hero client over `fetch`, for Effect programs. Each setting comes from `options`, else from `env` when
 * given (for example a Worker's `env` bindings); nothing is read from `process`. Fails with a `ConfigError` naming
 * the setting at fault when the configuration cannot work.
 *
 * @example
 * ```ts
 * import * as HeroClient from "@hero-pds/core/HeroClient"
 * import { EdgeHeroClient } from "@hero-pds/edge"
 * import * as Effect from "effect/Effect"
 *
 * const program = HeroClient.registerPds({ nhsNumber: "943 476 5919", dob: "1992-01-01" })
 * const result = await Effect.runPromise(Effect.provide(program, EdgeHeroClient.layer({}, env)))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options,
  env?: Env
): Layer.Layer<HeroClient.HeroClient, ConfigError.ConfigError> =>
  HeroClient.layerTransport.pipe(
    Layer.provide(Layer.effect(HeroConfig.HeroConfig, HeroConfig.make(configOptions(options), env))),
    Layer.provide(EdgeHeroTransport.layer(options.fetch))
  )

/**
 * The Promise client over `fetch` (the same shape as `@hero-pds/node`'s). Each setting comes from `options`,
 * else from `env` when given, e.g. `createHeroClient({}, env)` in a Worker with `HERO_API_KEY` and
 * `HERO_PRACTICE_GROUP_ID` bound; nothing is read from `process`.
 *
 * Throws `HeroConfigError` at once when the configuration cannot work. `registerPds` resolves with `Registered`
 * or `VerificationRequired` and rejects with the `HeroError` itself (`error._tag`, `error instanceof Error`).
 *
 * Creating a client is cheap (no I/O; its runtime is built on the first call) and it holds no I/O object, so it
 * may be made per request or once per isolate and reused across requests: see the package README.
 *
 * @example
 * ```ts
 * import { createHeroClient } from "@hero-pds/edge"
 *
 * export default {
 *   async fetch(request: Request, env: Env): Promise<Response> {
 *     const hero = createHeroClient({ apiKey: env.HERO_API_KEY, practiceGroupId: env.HERO_PRACTICE_GROUP_ID })
 *     const result = await hero.registerPds({ nhsNumber: "943 476 5919", dob: "1992-01-01" })
 *     return Response.json(result)
 *   }
 * }
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const createHeroClient = (options: Options = {}, env?: Env): PromiseClient.PromiseClient =>
  PromiseClient.make(
    PromiseClient.resolveConfig(configOptions(options), env),
    EdgeHeroTransport.layer(options.fetch)
  )
