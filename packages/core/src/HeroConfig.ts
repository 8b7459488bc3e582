/**
 * How to reach Hero: credentials, environment, base URL, timeout and retry policy.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as internal from "./internal/config.js"
import type * as RetryPolicy from "./RetryPolicy.js"

/**
 * `staging` and `production` are Hero's; `sandbox` is the local emulator (`@hero-pds/sandbox`).
 *
 * @since 0.1.0
 * @category models
 */
export type Environment = "staging" | "production" | "sandbox"

/**
 * A validated configuration.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly environment: Environment
  readonly apiKey: Redacted.Redacted<string>
  readonly practiceGroupId: string
  /** Absolute, without a trailing slash; `https:` unless the host is loopback. */
  readonly baseUrl: string
  /** The limit for one attempt (request and response body). */
  readonly timeout: Duration.Duration
  readonly retryPolicy: RetryPolicy.RetryPolicy
}

/**
 * The configuration service.
 *
 * @since 0.1.0
 * @category tags
 */
export class HeroConfig extends Context.Tag("@hero-pds/core/HeroConfig")<HeroConfig, Service>() {}

/**
 * Settings as a caller passes them (the options of `createHeroClient`). In the `sandbox` environment the
 * credentials default to the sandbox's.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly apiKey?: string | Redacted.Redacted<string> | undefined
  readonly practiceGroupId?: string | undefined
  /** Default `staging`. */
  readonly environment?: Environment | undefined
  /** Overrides the URL of `environment`. */
  readonly baseUrl?: string | undefined
  /** Per-attempt timeout, default 10000. */
  readonly timeoutMs?: number | undefined
  /** Retries after the first attempt, default 3. */
  readonly maxRetries?: number | undefined
  /** The largest server hint that is waited for, default 60000. */
  readonly maxRetryAfterMs?: number | undefined
  /** The first backoff delay, default 500. */
  readonly retryInitialDelayMs?: number | undefined
  /** The largest backoff delay, default 8000. */
  readonly retryMaxDelayMs?: number | undefined
  /** Whether backoff delays are jittered, default true. */
  readonly retryJitter?: boolean | undefined
}

const optionNames: internal.Names = {
  apiKey: "apiKey",
  practiceGroupId: "practiceGroupId",
  environment: "environment",
  baseUrl: "baseUrl",
  timeoutMs: "timeoutMs",
  maxRetries: "maxRetries",
  maxRetryAfterMs: "maxRetryAfterMs",
  retryInitialDelayMs: "retryInitialDelayMs",
  retryMaxDelayMs: "retryMaxDelayMs",
  retryJitter: "retryJitter"
}

/**
 * The environment variables read by `layerConfig`.
 *
 * @since 0.1.0
 */
export const envNames: internal.Names = {
  apiKey: "HERO_API_KEY",
  practiceGroupId: "HERO_PRACTICE_GROUP_ID",
  environment: "HERO_ENV",
  baseUrl: "HERO_BASE_URL",
  timeoutMs: "HERO_TIMEOUT_MS",
  maxRetries: "HERO_MAX_RETRIES",
  maxRetryAfterMs: "HERO_MAX_RETRY_AFTER_MS",
  retryInitialDelayMs: "HERO_RETRY_INITIAL_DELAY_MS",
  retryMaxDelayMs: "HERO_RETRY_MAX_DELAY_MS",
  retryJitter: "HERO_RETRY_JITTER"
}

/**
 * The default base URL of each environment (`sandbox` is where `hero-pds sandbox` serves).
 *
 * @since 0.1.0
 */
export const baseUrls: Readonly<Record<Environment, string>> = internal.baseUrls

/**
 * Validates caller options. Fails with a `ConfigError` whose message names the option.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<Service, ConfigError.ConfigError> =>
  internal.resolve(options, optionNames)

/**
 * The configuration from caller options.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<HeroConfig, ConfigError.ConfigError> =>
  Layer.effect(HeroConfig, make(options))

const optional = (name: string) => Config.option(Config.string(name)).pipe(Config.map(Option.getOrUndefined))

/**
 * The configuration read from `HERO_*` variables through Effect's `Config` (so any `ConfigProvider`
 * works). Fails with a `ConfigError` whose message names the variable.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromConfig: Effect.Effect<Service, ConfigError.ConfigError> = Effect.flatMap(
  Config.all({
    apiKey: Config.option(Config.redacted(envNames.apiKey)).pipe(Config.map(Option.getOrUndefined)),
    practiceGroupId: optional(envNames.practiceGroupId),
    environment: optional(envNames.environment),
    baseUrl: optional(envNames.baseUrl),
    timeoutMs: optional(envNames.timeoutMs),
    maxRetries: optional(envNames.maxRetries),
    maxRetryAfterMs: optional(envNames.maxRetryAfterMs),
    retryInitialDelayMs: optional(envNames.retryInitialDelayMs),
    retryMaxDelayMs: optional(envNames.retryMaxDelayMs),
    retryJitter: Config.option(Config.boolean(envNames.retryJitter)).pipe(Config.map(Option.getOrUndefined))
  }),
  (raw) => internal.resolve(raw, envNames)
)

/**
 * The configuration from the `HERO_*` environment variables.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig: Layer.Layer<HeroConfig, ConfigError.ConfigError> = Layer.effect(HeroConfig, fromConfig)
