import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as HeroConfig from "../HeroConfig.js"
import * as RetryPolicy from "../RetryPolicy.js"

/** The environment variable behind each caller option. */
export const envNames = {
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
  deadlineMs: "HERO_DEADLINE_MS",
  maxRequestsPerSecond: "HERO_MAX_REQUESTS_PER_SECOND",
  maxConcurrency: "HERO_MAX_CONCURRENCY"
} as const satisfies { readonly [K in keyof HeroConfig.Options]-?: string }

export const environments: ReadonlyArray<HeroConfig.Environment> = ["staging", "production", "sandbox"]

export const baseUrls = {
  staging: "https://api.staging.htech.app",
  production: "https://api.herohealth.net"
} as const

// ---------------------------------------------------------------------------------------------------------------
// Pieces: each reads one variable as text and says what it must be without repeating the value (it may be a secret).
// Empty text counts as unset, as shells and `.env` files often leave a variable defined but empty.
// ---------------------------------------------------------------------------------------------------------------

/** A variable read as trimmed text; empty counts as unset. */
export const text = (name: string): Config.Config<Option.Option<string>> =>
  Config.map(Config.option(Config.string(name)), Option.flatMap((value) => Option.liftPredicate(value.trim(), Boolean)))

/** A variable that must be set, with what to set it to. */
export const required = <A>(
  name: string,
  config: (name: string) => Config.Config<Option.Option<A>>,
  hint: string
): Config.Config<A> =>
  Config.mapOrFail(
    config(name),
    Option.match({ onNone: () => Either.left(missing(name, hint)), onSome: Either.right })
  )

/** The error for a variable that is not set: `HERO_API_KEY is required: set it to your Hero API key`. */
export const missing = (name: string, hint: string): ConfigError.ConfigError =>
  ConfigError.MissingData([name], `is required: ${hint}`)

/** Text parsed by `parse` (a message when it cannot be), else `fallback` when unset. */
export const parsed = <A, B = A>(
  name: string,
  parse: (value: string) => Either.Either<A, string>,
  fallback: B
): Config.Config<A | B> =>
  Config.mapOrFail(text(name), (value): Either.Either<A | B, ConfigError.ConfigError> =>
    Option.match(value, {
      onNone: () => Either.right(fallback),
      onSome: (value) => Either.mapLeft(parse(value), (message) => ConfigError.InvalidData([name], message))
    }))

const wholeNumberOf = (min: number, max: number) => (value: string): Either.Either<number, string> => {
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN
  return n >= min && n <= max ? Either.right(n) : Either.left(`must be a whole number from ${min} to ${max}`)
}

/** A whole number within bounds, else `fallback` when unset. */
export const wholeNumber = <B>(
  name: string,
  options: { readonly min: number; readonly max: number; readonly fallback: B }
): Config.Config<number | B> => parsed(name, wholeNumberOf(options.min, options.max), options.fallback)

/** A secret (held as `Redacted`, never shown in any message). */
export const secret = (name: string): Config.Config<Option.Option<Redacted.Redacted<string>>> =>
  Config.map(text(name), Option.map(Redacted.make))

const loopbackHosts: ReadonlySet<string> = new Set(["127.0.0.1", "[::1]", "localhost"])

/**
 * The one rule for a URL that will receive a secret: absolute, `https:` unless its host is loopback, with no
 * credentials, query or fragment. Gives the URL without a trailing slash.
 */
export const secureUrl = (value: string): Either.Either<string, string> => {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return Either.left("must be an absolute URL such as https://api.staging.htech.app")
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopbackHosts.has(url.hostname))) {
    return Either.left(
      "must use https: (plain http: is allowed only for 127.0.0.1, ::1 or localhost), so no secret is sent in clear text"
    )
  }
  if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") {
    return Either.left("must not contain credentials, a query or a fragment")
  }
  return Either.right(url.href.replace(/\/+$/, ""))
}

// ---------------------------------------------------------------------------------------------------------------
// The HERO_* configuration.
// ---------------------------------------------------------------------------------------------------------------

const environmentOf = (value: string): Either.Either<HeroConfig.Environment, string> =>
  environments.includes(value as HeroConfig.Environment)
    ? Either.right(value as HeroConfig.Environment)
    : Either.left(`must be one of ${environments.join(", ")}`)

export const environment: Config.Config<HeroConfig.Environment> = parsed(
  envNames.environment,
  environmentOf,
  "staging" as const
)

const rateOf = (value: string): Either.Either<number, string> => {
  const n = Number(value)
  return Number.isFinite(n) && n > 0 && n <= 10_000
    ? Either.right(n)
    : Either.left("must be a number of requests per second above 0")
}

const booleanOf = (value: string): Either.Either<boolean, string> =>
  value === "true" || value === "1"
    ? Either.right(true)
    : value === "false" || value === "0"
    ? Either.right(false)
    : Either.left("must be true or false")

const millis = (name: string, fallback: Duration.Duration, max: number) =>
  Config.map(wholeNumber(name, { min: 0, max, fallback: Duration.toMillis(fallback) }), Duration.millis)

const defaults = RetryPolicy.defaults

const settings = Config.all({
  environment,
  apiKey: required(envNames.apiKey, secret, "set it to your Hero API key"),
  practiceGroupId: required(envNames.practiceGroupId, text, "set it to the practice group id Hero gave you"),
  baseUrl: parsed(envNames.baseUrl, secureUrl, undefined),
  timeout: Config.map(wholeNumber(envNames.timeoutMs, { min: 1, max: 600_000, fallback: 10_000 }), Duration.millis),
  deadline: Config.map(
    wholeNumber(envNames.deadlineMs, { min: 1, max: 3_600_000, fallback: undefined }),
    (ms) => ms === undefined ? undefined : Duration.millis(ms)
  ),
  retryPolicy: Config.all({
    maxRetries: wholeNumber(envNames.maxRetries, { min: 0, max: 10, fallback: defaults.maxRetries }),
    initialDelay: millis(envNames.retryInitialDelayMs, defaults.initialDelay, 600_000),
    maxDelay: millis(envNames.retryMaxDelayMs, defaults.maxDelay, 600_000),
    maxRetryAfter: millis(envNames.maxRetryAfterMs, defaults.maxRetryAfter, 3_600_000),
    jitter: parsed(envNames.retryJitter, booleanOf, defaults.jitter)
  }),
  maxRequestsPerSecond: parsed(envNames.maxRequestsPerSecond, rateOf, undefined),
  maxConcurrency: wholeNumber(envNames.maxConcurrency, { min: 1, max: 10_000, fallback: undefined })
})

/** The settings together; the `sandbox` environment has no URL of its own here (its package supplies one). */
export const config: Config.Config<HeroConfig.Service> = Config.mapOrFail(
  settings,
  ({ baseUrl, ...settings }) =>
    baseUrl !== undefined
      ? Either.right({ ...settings, baseUrl })
      : settings.environment === "sandbox"
      ? Either.left(missing(envNames.baseUrl, "set it to where the sandbox is served (hero-pds sandbox prints it)"))
      : Either.right({ ...settings, baseUrl: baseUrls[settings.environment] })
)

// ---------------------------------------------------------------------------------------------------------------
// Providers: caller options over an environment record.
// ---------------------------------------------------------------------------------------------------------------

const textOf = (value: unknown): string | undefined =>
  typeof value === "string"
    ? value
    : typeof value === "number" || typeof value === "boolean"
    ? String(value)
    : Redacted.isRedacted(value)
    ? String(Redacted.value(value))
    : undefined

/**
 * The variables of a record (`process.env`, a Worker's `env`, `Deno.env.toObject()`) as text: strings as they are,
 * numbers and booleans as text (wrangler `[vars]` may be JSON values), anything else (KV namespaces, service
 * bindings) left out.
 */
export const variablesOf = (record: object): Record<string, string> => {
  const variables: Record<string, string> = {}
  for (const [name, value] of Object.entries(record)) {
    const text = textOf(value)
    if (text !== undefined) variables[name] = text
  }
  return variables
}

/** A provider over a record of variables (see `variablesOf`). */
export const fromRecord = (record: object): ConfigProvider.ConfigProvider =>
  ConfigProvider.fromMap(new Map(Object.entries(variablesOf(record))))

/** Caller options as the variables they stand for. */
export const optionVariables = (options: HeroConfig.Options): Record<string, string> => {
  const record: Record<string, unknown> = {}
  for (const [option, name] of Object.entries(envNames)) record[name] = options[option as keyof HeroConfig.Options]
  return variablesOf(record)
}

/**
 * Renames the variables in an error to what the caller wrote: the option (`practiceGroupId`) when options were
 * given and the variable was not set, the variable when it was, both when it could have come from either.
 */
export const renameForOptions = (
  error: ConfigError.ConfigError,
  options: HeroConfig.Options,
  env: object | undefined
): ConfigError.ConfigError => {
  const optionOf = new Map(Object.entries(envNames).map(([option, name]) => [name as string, option]))
  const rename = (path: ReadonlyArray<string>): Array<string> => {
    const name = path[0] ?? ""
    const option = optionOf.get(name)
    if (option === undefined) return [...path]
    if (options[option as keyof HeroConfig.Options] !== undefined || env === undefined) return [option]
    return name in env ? [name] : [`${option} (or ${name})`]
  }
  const go = (error: ConfigError.ConfigError): ConfigError.ConfigError => {
    switch (error._op) {
      case "And":
        return ConfigError.And(go(error.left), go(error.right))
      case "Or":
        return ConfigError.Or(go(error.left), go(error.right))
      case "InvalidData":
        return ConfigError.InvalidData(rename(error.path), error.message)
      case "MissingData":
        return ConfigError.MissingData(rename(error.path), error.message)
      case "SourceUnavailable":
        return ConfigError.SourceUnavailable(rename(error.path), error.message, error.cause)
      case "Unsupported":
        return ConfigError.Unsupported(rename(error.path), error.message)
    }
  }
  return go(error)
}

/** Every problem in an error, each naming its variable: `HERO_TIMEOUT_MS must be a whole number from 1 to 600000`. */
export const messages = (error: ConfigError.ConfigError): ReadonlyArray<string> => {
  switch (error._op) {
    case "And":
    case "Or":
      return [...messages(error.left), ...messages(error.right)]
    default:
      return [error.path.length === 0 ? error.message : `${error.path.join(".")} ${error.message}`]
  }
}
