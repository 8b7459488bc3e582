import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import type * as HeroConfig from "../HeroConfig.js"
import * as RetryPolicy from "../RetryPolicy.js"

/** The settings, as caller options (`HeroConfig.Options`) or as `HERO_*` strings. */
export type Raw = { readonly [K in keyof HeroConfig.Options]?: HeroConfig.Options[K] | string }

/** What each setting is called where it came from, so every message names it the way the user wrote it. */
export type Names = { readonly [K in keyof HeroConfig.Options]-?: string }

export const envNames: Names = {
  apiKey: "HERO_API_KEY",
  practiceGroupId: "HERO_PRACTICE_GROUP_ID",
  environment: "HERO_ENV",
  baseUrl: "HERO_BASE_URL",
  timeoutMs: "HERO_TIMEOUT_MS",
  maxRetries: "HERO_MAX_RETRIES",
  maxRetryAfterMs: "HERO_MAX_RETRY_AFTER_MS",
  retryInitialDelayMs: "HERO_RETRY_INITIAL_DELAY_MS",
  retryMaxDelayMs: "HERO_RETRY_MAX_DELAY_MS",
  retryJitter: "HERO_RETRY_JITTER",
  maxRequestsPerSecond: "HERO_MAX_REQUESTS_PER_SECOND",
  maxConcurrency: "HERO_MAX_CONCURRENCY"
}

/**
 * Takes each setting from the options when given there, else from the environment variables, and remembers
 * which, so messages name the option (`practiceGroupId`), the variable (`HERO_PRACTICE_GROUP_ID`) or, when
 * a setting could have come from either and came from neither, both.
 */
export const merge = (
  options: HeroConfig.Options | undefined,
  env: Readonly<Record<string, string | undefined>> | undefined
): { readonly raw: Raw; readonly names: Names } => {
  const raw: Record<string, unknown> = {}
  const names: Record<string, string> = {}
  for (const key of Object.keys(envNames) as Array<keyof Names>) {
    const option = options?.[key]
    const variable = env?.[envNames[key]]
    raw[key] = option ?? variable
    names[key] = option !== undefined || env === undefined
      ? key
      : variable !== undefined || options === undefined
      ? envNames[key]
      : `${key} (or ${envNames[key]})`
  }
  return { raw: raw as Raw, names: names as Names }
}

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

const integer = (name: string, value: unknown, fallback: number, min: number, max: number): number => {
  if (typeof value !== "number" && typeof value !== "string" && value !== undefined) {
    return invalid(name, `must be a whole number from ${min} to ${max}`)
  }
  if (value === undefined || (typeof value === "string" && value.trim() === "")) return fallback
  const n = typeof value === "number" ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN
  return Number.isInteger(n) && n >= min && n <= max
    ? n
    : invalid(name, `must be a whole number from ${min} to ${max}`)
}

const optionalRate = (name: string, value: unknown): number | undefined => {
  if (value === undefined || value === "") return undefined
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value.trim()) : Number.NaN
  return Number.isFinite(n) && n > 0 && n <= 10_000
    ? n
    : invalid(name, "must be a number of requests per second above 0")
}

const optionalInteger = (name: string, value: unknown, min: number, max: number): number | undefined =>
  value === undefined || value === "" ? undefined : integer(name, value, min, min, max)

const booleanOf = (name: string, value: unknown, fallback: boolean): boolean => {
  if (value === undefined || value === "") return fallback
  if (typeof value === "boolean") return value
  if (value === "true" || value === "1") return true
  if (value === "false" || value === "0") return false
  return invalid(name, "must be true or false")
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
    const millis = (name: keyof Names, fallback: Duration.Duration, max: number) =>
      Duration.millis(integer(names[name], raw[name], Duration.toMillis(fallback), 0, max))
    return Either.right({
      environment,
      apiKey: apiKeyOf(raw, names, environment),
      practiceGroupId: practiceGroupIdOf(raw, names, environment),
      baseUrl: baseUrlOf(raw, names, environment),
      timeout: Duration.millis(integer(names.timeoutMs, raw.timeoutMs, 10_000, 1, 600_000)),
      retryPolicy: {
        maxRetries: integer(names.maxRetries, raw.maxRetries, defaults.maxRetries, 0, 10),
        initialDelay: millis("retryInitialDelayMs", defaults.initialDelay, 600_000),
        maxDelay: millis("retryMaxDelayMs", defaults.maxDelay, 600_000),
        maxRetryAfter: millis("maxRetryAfterMs", defaults.maxRetryAfter, 3_600_000),
        jitter: booleanOf(names.retryJitter, raw.retryJitter, defaults.jitter)
      },
      maxRequestsPerSecond: optionalRate(names.maxRequestsPerSecond, raw.maxRequestsPerSecond),
      maxConcurrency: optionalInteger(names.maxConcurrency, raw.maxConcurrency, 1, 10_000)
    })
  } catch (error) {
    if (error instanceof Invalid) return Either.left(error.error)
    throw error
  }
}
