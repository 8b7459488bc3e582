import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import type * as HeroConfig from "../HeroConfig.js"
import * as RetryPolicy from "../RetryPolicy.js"

/** The raw settings, from caller options or from environment variables (as strings). */
export interface Raw {
  readonly apiKey?: string | Redacted.Redacted<string> | undefined
  readonly practiceGroupId?: string | undefined
  readonly environment?: string | undefined
  readonly baseUrl?: string | undefined
  readonly timeoutMs?: number | string | undefined
  readonly maxRetries?: number | string | undefined
  readonly maxRetryAfterMs?: number | string | undefined
  readonly retryInitialDelayMs?: number | string | undefined
  readonly retryMaxDelayMs?: number | string | undefined
  readonly retryJitter?: boolean | undefined
}

/** What each setting is called where it came from, so every message names it the way the user wrote it. */
export type Names = { readonly [K in keyof Raw]-?: string }

export const environments: ReadonlyArray<HeroConfig.Environment> = ["staging", "production", "sandbox"]

export const baseUrls: Record<HeroConfig.Environment, string> = {
  staging: "https://api.staging.htech.app",
  production: "https://api.herohealth.net",
  sandbox: "http://127.0.0.1:4010"
}

export const sandboxCredentials = { apiKey: "sandbox-api-key", practiceGroupId: "sandbox-practice-group" } as const

const loopbackHosts: ReadonlySet<string> = new Set(["127.0.0.1", "[::1]", "localhost"])

class Invalid {
  constructor(readonly error: ConfigError.ConfigError) {}
}

const invalid = (name: string, message: string): never => {
  throw new Invalid(ConfigError.InvalidData([name], `${name} ${message}`))
}

const missing = (name: string, message: string): never => {
  throw new Invalid(ConfigError.MissingData([name], `${name} ${message}`))
}

const nonEmpty = (value: string | undefined): string | undefined => {
  const trimmed = value?.trim()
  return trimmed === "" ? undefined : trimmed
}

const integer = (name: string, value: number | string | undefined, fallback: number, min: number, max: number) => {
  if (value === undefined || (typeof value === "string" && value.trim() === "")) return fallback
  const n = typeof value === "number" ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN
  return Number.isInteger(n) && n >= min && n <= max
    ? n
    : invalid(name, `must be a whole number from ${min} to ${max}`)
}

const environmentOf = (raw: Raw, names: Names): HeroConfig.Environment => {
  const value = nonEmpty(raw.environment) ?? "staging"
  return environments.includes(value as HeroConfig.Environment)
    ? value as HeroConfig.Environment
    : invalid(names.environment, `must be one of ${environments.join(", ")}`)
}

const baseUrlOf = (raw: Raw, names: Names, environment: HeroConfig.Environment): string => {
  const value = nonEmpty(raw.baseUrl) ?? baseUrls[environment]
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return invalid(names.baseUrl, "must be an absolute URL such as https://api.staging.htech.app")
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopbackHosts.has(url.hostname))) {
    return invalid(
      names.baseUrl,
      "must use https: (plain http: is allowed only for 127.0.0.1, ::1 or localhost), so the API key is never sent in clear text"
    )
  }
  if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") {
    return invalid(names.baseUrl, "must not contain credentials, a query or a fragment")
  }
  return url.href.replace(/\/+$/, "")
}

const apiKeyOf = (raw: Raw, names: Names, environment: HeroConfig.Environment): Redacted.Redacted<string> => {
  const value = nonEmpty(Redacted.isRedacted(raw.apiKey) ? Redacted.value(raw.apiKey) : raw.apiKey)
  if (value !== undefined) return Redacted.make(value)
  return environment === "sandbox"
    ? Redacted.make(sandboxCredentials.apiKey)
    : missing(names.apiKey, "is required: set it to your Hero API key (or use the sandbox environment)")
}

const practiceGroupIdOf = (raw: Raw, names: Names, environment: HeroConfig.Environment): string =>
  nonEmpty(raw.practiceGroupId) ??
    (environment === "sandbox"
      ? sandboxCredentials.practiceGroupId
      : missing(names.practiceGroupId, "is required: set it to the practice group id Hero gave you"))

/** Validates raw settings into a configuration, or fails with a `ConfigError` naming the setting. */
export const resolve = (raw: Raw, names: Names): Either.Either<HeroConfig.Service, ConfigError.ConfigError> => {
  try {
    const environment = environmentOf(raw, names)
    const defaults = RetryPolicy.defaults
    const retryInitialDelayMs = integer(
      names.retryInitialDelayMs,
      raw.retryInitialDelayMs,
      Duration.toMillis(defaults.initialDelay),
      0,
      600_000
    )
    return Either.right({
      environment,
      apiKey: apiKeyOf(raw, names, environment),
      practiceGroupId: practiceGroupIdOf(raw, names, environment),
      baseUrl: baseUrlOf(raw, names, environment),
      timeout: Duration.millis(integer(names.timeoutMs, raw.timeoutMs, 10_000, 1, 600_000)),
      retryPolicy: {
        maxRetries: integer(names.maxRetries, raw.maxRetries, defaults.maxRetries, 0, 10),
        initialDelay: Duration.millis(retryInitialDelayMs),
        maxDelay: Duration.millis(
          integer(names.retryMaxDelayMs, raw.retryMaxDelayMs, Duration.toMillis(defaults.maxDelay), 0, 600_000)
        ),
        maxRetryAfter: Duration.millis(
          integer(
            names.maxRetryAfterMs,
            raw.maxRetryAfterMs,
            Duration.toMillis(defaults.maxRetryAfter),
            0,
            3_600_000
          )
        ),
        jitter: raw.retryJitter ?? defaults.jitter
      }
    })
  } catch (error) {
    if (error instanceof Invalid) return Either.left(error.error)
    throw error
  }
}
