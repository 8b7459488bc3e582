/**
 * How to reach Hero: credentials, environment, base URL, timeout and retry policy.
 *
 * @since 0.1.0
 */
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import * as internal from "./internal/config.js"
import type * as RetryPolicy from "./RetryPolicy.js"

/**
 * `staging` and `production` are Hero's; `sandbox` is the local emulator (`@hero-pds/sandbox`), which supplies its
 * own URL and credentials (see `Defaults`).
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
  /** Requests per second this client sends at most (evenly spaced); unlimited when undefined. */
  readonly maxRequestsPerSecond: number | undefined
  /** Requests this client has in flight at most; unbounded when undefined. */
  readonly maxConcurrency: number | undefined
  /** The bound on a whole call (attempts, waits and cooldown); none when undefined. */
  readonly deadline: Duration.Duration | undefined
}

/**
 * The configuration service.
 *
 * @since 0.1.0
 * @category tags
 */
export class HeroConfig extends Context.Tag("@hero-pds/core/HeroConfig")<HeroConfig, Service>() {}

/**
 * Settings as a caller passes them (the options of `createHeroClient`), each standing for one `HERO_*` variable.
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
  /** Requests per second at most, shared by every call of the client (e.g. a partner agreement's limit). */
  readonly maxRequestsPerSecond?: number | undefined
  /** Requests in flight at most, shared by every call of the client. */
  readonly maxConcurrency?: number | undefined
  /** A bound on a whole call: every attempt, wait and cooldown. None by default. */
  readonly deadlineMs?: number | undefined
}

/**
 * The environment variables behind each option, as read by `layerConfig`.
 *
 * @since 0.1.0
 */
export const envNames: { readonly [K in keyof Options]-?: string } = internal.envNames

/**
 * The base URL of each of Hero's environments. (`sandbox` has none here: `@hero-pds/sandbox` supplies its own.)
 *
 * @since 0.1.0
 */
export const baseUrls: Readonly<Record<Exclude<Environment, "sandbox">, string>> = internal.baseUrls

/**
 * Every problem in a `ConfigError`, each naming its variable or option, for showing a person what to fix.
 *
 * @since 0.1.0
 */
export const configErrorMessages: (error: ConfigError.ConfigError) => ReadonlyArray<string> = internal.messages

/**
 * A configuration that cannot work, for callers outside Effect (the Promise clients throw it, the CLI and the Slack
 * app print it). Its message names every option or variable at fault and says what it must be.
 *
 * @since 0.1.0
 * @category errors
 */
export class HeroConfigError extends Data.TaggedError("HeroConfigError")<{ readonly message: string }> {
  /** From Effect's `ConfigError`: `Invalid configuration: HERO_API_KEY is required: ...; HERO_ENV must be ...`. */
  static fromConfigError(error: ConfigError.ConfigError): HeroConfigError {
    return new HeroConfigError({ message: `Invalid configuration: ${configErrorMessages(error).join("; ")}` })
  }
}

/**
 * The `HERO_*` environment as an Effect `Config`: credentials, environment, base URL (the `https:`-unless-loopback
 * rule), timeouts, retry policy, deadline, rate and concurrency; every problem reported at once, each naming its
 * variable. Provide it any `ConfigProvider`.
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<Service> = internal.config

/**
 * Settings an environment supplies when neither the options nor the variables do, keyed by variable (e.g. the
 * sandbox's URL and credentials, which `@hero-pds/sandbox` owns).
 *
 * @since 0.1.0
 * @category models
 */
export type Defaults = Partial<Record<Environment, Readonly<Record<string, string>>>>

/**
 * Validates settings: each from `options` when given there, else from `env` (a record of `HERO_*` variables such
 * as `process.env` or a Worker's `env`; left out, nothing else is read), else from `defaults` for the chosen
 * environment. Fails with a `ConfigError` naming each option or variable at fault the way the caller wrote it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options = {},
  env?: object,
  defaults?: Defaults
): Effect.Effect<Service, ConfigError.ConfigError> => {
  // One flat map, options over variables over defaults: cheaper on the edge than layered providers.
  const given = { ...(env === undefined ? {} : internal.variablesOf(env)), ...internal.optionVariables(options) }
  const chosen = defaults?.[(given[envNames.environment]?.trim() || "staging") as Environment]
  return Effect.withConfigProvider(config, ConfigProvider.fromMap(new Map(Object.entries({ ...chosen, ...given }))))
    .pipe(Effect.mapError((error) => internal.renameForOptions(error, options, env)))
}

/**
 * The configuration from caller options (no variables read).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<HeroConfig, ConfigError.ConfigError> =>
  Layer.effect(HeroConfig, make(options))

/**
 * The configuration read through the ambient `ConfigProvider` (the `HERO_*` variables by default), with
 * `defaults` for environments that supply their own.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromConfig = (defaults?: Defaults): Effect.Effect<Service, ConfigError.ConfigError> =>
  defaults === undefined ? config : Effect.flatMap(internal.environment, (environment) => {
    const fallback = defaults[environment]
    return fallback === undefined ?
      config :
      Effect.configProviderWith((provider) =>
        Effect.withConfigProvider(config, ConfigProvider.orElse(provider, () => internal.fromRecord(fallback)))
      )
  })

/**
 * The configuration from the `HERO_*` environment variables (or any `ConfigProvider`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig: Layer.Layer<HeroConfig, ConfigError.ConfigError> = Layer.effect(HeroConfig, config)
