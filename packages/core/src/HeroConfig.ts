/**
 * How to reach Hero: credentials, environment, base URL, timeout and retry policy.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
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
  /** Requests per second this client sends at most (evenly spaced); unlimited when undefined. */
  readonly maxRequestsPerSecond: number | undefined
  /** Requests this client has in flight at most; unbounded when undefined. */
  readonly maxConcurrency: number | undefined
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
  /** Requests per second at most, shared by every call of the client (e.g. a partner agreement's limit). */
  readonly maxRequestsPerSecond?: number | undefined
  /** Requests in flight at most, shared by every call of the client. */
  readonly maxConcurrency?: number | undefined
}

/**
 * The environment variables behind each option, as read by `layerConfig`.
 *
 * @since 0.1.0
 */
export const envNames: { readonly [K in keyof Options]-?: string } = internal.envNames

/**
 * The default base URL of each environment (`sandbox` is where `hero-pds sandbox` serves).
 *
 * @since 0.1.0
 */
export const baseUrls: Readonly<Record<Environment, string>> = internal.baseUrls

/**
 * A configuration that cannot work, for callers outside Effect (the Promise clients throw it). Its message names
 * the option or variable at fault and says what it must be.
 *
 * @since 0.1.0
 * @category errors
 */
export class HeroConfigError extends Data.TaggedError("HeroConfigError")<{ readonly message: string }> {
  /** From Effect's `ConfigError`. */
  static fromConfigError(error: ConfigError.ConfigError): HeroConfigError {
    return new HeroConfigError({ message: `Invalid Hero configuration: ${configErrorMessages(error).join("; ")}` })
  }
}

/**
 * The messages inside a `ConfigError` (which nests them with `And`/`Or`), for showing a person what to fix.
 *
 * @since 0.1.0
 */
export const configErrorMessages = (error: ConfigError.ConfigError): ReadonlyArray<string> => {
  switch (error._op) {
    case "And":
    case "Or":
      return [...configErrorMessages(error.left), ...configErrorMessages(error.right)]
    case "InvalidData":
    case "MissingData":
    case "SourceUnavailable":
    case "Unsupported":
      return [error.message]
  }
}

/**
 * Validates settings: each from `options` when given there, else from `env` (a record of `HERO_*` variables,
 * e.g. `process.env`); pass `undefined` for either to leave it out. Fails with a `ConfigError` whose message names the option or
 * variable at fault.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options | undefined,
  env?: Readonly<Record<string, string | undefined>>
): Effect.Effect<Service, ConfigError.ConfigError> => {
  const { names, raw } = internal.merge(options, env)
  return internal.resolve(raw, names)
}

/**
 * The configuration from caller options.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<HeroConfig, ConfigError.ConfigError> =>
  Layer.effect(HeroConfig, make(options))

/**
 * The configuration read from the `HERO_*` variables through Effect's `Config` (so any `ConfigProvider`
 * works). Fails with a `ConfigError` whose message names the variable.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromConfig: Effect.Effect<Service, ConfigError.ConfigError> = Effect.flatMap(
  Config.all(
    Object.values(internal.envNames).map((name) =>
      Config.option(Config.string(name)).pipe(Config.map((value) => [name, Option.getOrUndefined(value)] as const))
    )
  ),
  (entries) => make(undefined, Object.fromEntries(entries))
)

/**
 * The configuration from the `HERO_*` environment variables.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig: Layer.Layer<HeroConfig, ConfigError.ConfigError> = Layer.effect(HeroConfig, fromConfig)
