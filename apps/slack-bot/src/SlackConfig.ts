/**
 * The app's configuration: the Slack side (`SLACK_*`: signing secret, who may use the command, where results may
 * be sent, which practice each place belongs to), the audit hash key, and Hero's (`HERO_*`, validated by core's
 * `HeroConfig`, once per practice). Read through Effect's `Config`, so every invalid or missing variable is named
 * at once, never a value.
 *
 * @since 0.1.0
 */
import * as HeroConfig from "@hero-pds/core/HeroConfig"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Validate from "./internal/validate.js"

/**
 * Which Hero practice a command reaches: one for the whole app (`HERO_API_KEY`, `HERO_PRACTICE_GROUP_ID`), or one
 * per Slack channel or team (`SLACK_PRACTICES`; a channel's entry wins over its team's).
 *
 * @since 0.1.0
 * @category models
 */
export type Practices =
  | { readonly _tag: "Single"; readonly hero: HeroConfig.Service }
  | { readonly _tag: "ByPlace"; readonly places: ReadonlyMap<string, HeroConfig.Service> }

/**
 * A validated configuration.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The app's signing secret (Basic Information in the Slack app settings). */
  readonly signingSecret: Redacted.Redacted<string>
  /** Workspaces (team ids) allowed to use the command. Never empty. */
  readonly allowedTeamIds: ReadonlySet<string>
  /** When set, only these users may use the command. */
  readonly allowedUserIds: ReadonlySet<string> | undefined
  /** When set, the command may only be used in these channels. */
  readonly allowedChannelIds: ReadonlySet<string> | undefined
  /** Origins (`https://hooks.slack.com`) that `response_url` may point at. */
  readonly responseUrlOrigins: ReadonlySet<string>
  /** The key of the audit events' `nhsNumberHash` (HMAC-SHA256). */
  readonly auditHashKey: Redacted.Redacted<string>
  /** Which practice each command reaches, and how. */
  readonly practices: Practices
  /** Each command's whole deadline: its final follow-up is sent within it. */
  readonly deadline: Duration.Duration
  /** Hero calls in flight at most. */
  readonly maxConcurrency: number
  /** Commands waiting for a Hero call at most; past it a command is answered "busy". */
  readonly maxQueued: number
}

/**
 * The configuration service.
 *
 * @since 0.1.0
 * @category tags
 */
export class SlackConfig extends Context.Tag("@hero-pds/slack-bot/SlackConfig")<SlackConfig, Service>() {}

/**
 * The environment variable behind each setting.
 *
 * @since 0.1.0
 */
export const envNames = {
  signingSecret: "SLACK_SIGNING_SECRET",
  allowedTeamIds: "SLACK_ALLOWED_TEAM_IDS",
  allowedUserIds: "SLACK_ALLOWED_USER_IDS",
  allowedChannelIds: "SLACK_ALLOWED_CHANNEL_IDS",
  responseUrlOrigins: "SLACK_RESPONSE_URL_ORIGINS",
  practices: "SLACK_PRACTICES",
  auditHashKey: "AUDIT_HASH_KEY",
  deadline: "HERO_DEADLINE_MS",
  maxQueued: "SLACK_MAX_QUEUED_COMMANDS"
} as const

/**
 * Where Slack's `response_url`s live, used when `SLACK_RESPONSE_URL_ORIGINS` is not set.
 *
 * @since 0.1.0
 */
export const defaultResponseUrlOrigin = "https://hooks.slack.com"

/**
 * The app's defaults for Hero: a 20 s deadline per command (under Workers' `waitUntil` limit), 8 calls in flight,
 * 64 commands waiting.
 *
 * @since 0.1.0
 */
export const defaults = { deadlineMillis: 20_000, maxConcurrency: 8, maxQueued: 64 } as const

/**
 * The shortest audit hash key accepted, in characters.
 *
 * @since 0.1.0
 */
export const minAuditHashKeyLength = 32

const slackId = /^[A-Z0-9]{2,32}$/
const placeId = /^[CGT][A-Z0-9]{2,31}$/
const loopbackHosts: ReadonlySet<string> = new Set(["127.0.0.1", "[::1]", "localhost"])

type Decoded<A> = Either.Either<A, ConfigError.ConfigError>

const invalid = (name: string, message: string) => Either.left(ConfigError.InvalidData([name], `${name} ${message}`))
const missing = (name: string, message: string) => Either.left(ConfigError.MissingData([name], `${name} ${message}`))

/** A variable as trimmed text (`undefined` when unset or blank), decoded; failures name the variable. */
const variable = <A>(name: string, decode: (text: string | undefined) => Decoded<A>): Config.Config<A> =>
  Config.option(Config.string(name)).pipe(
    Config.mapOrFail((value) => {
      const text = Option.getOrUndefined(value)?.trim()
      return decode(text === "" ? undefined : text)
    })
  )

const ids = (name: string, example: string) => (text: string | undefined): Decoded<ReadonlySet<string> | undefined> => {
  if (text === undefined) return Either.right(undefined)
  const items = text.split(",").map((item) => item.trim()).filter((item) => item !== "")
  return items.length > 0 && items.every((item) => slackId.test(item))
    ? Either.right(new Set(items))
    : invalid(name, `must be a comma-separated list of Slack ids such as ${example}`)
}

const origin = (text: string): Either.Either<string, string> => {
  if (!URL.canParse(text)) return Either.left("must list origins such as https://hooks.slack.com")
  const url = new URL(text)
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopbackHosts.has(url.hostname))) {
    return Either.left("must list https: origins (plain http: only for 127.0.0.1, ::1 or localhost)")
  }
  return url.username !== "" || url.password !== "" || url.pathname !== "/" || url.search !== "" || url.hash !== ""
    ? Either.left("must list bare origins (scheme, host and port only), such as https://hooks.slack.com")
    : Either.right(url.origin)
}

const wholeNumber = (name: string, fallback: number, min: number, max: number) => (text: string | undefined) => {
  if (text === undefined) return Either.right(fallback)
  const value = /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN
  return value >= min && value <= max
    ? Either.right(value)
    : invalid(name, `must be a whole number from ${min} to ${max}`)
}

/** An entry of `SLACK_PRACTICES`, before Hero's checks. */
interface PracticeEntry {
  readonly place: string
  readonly practiceGroupId: string
  readonly apiKey: string
}

const practicesExample = `such as {"C0123ABCD": {"practiceGroupId": "...", "apiKey": "..."}}`

/** Reads `SLACK_PRACTICES`; messages name the entry at fault by its place id, never a value. */
const practiceEntries = (text: string | undefined): Decoded<ReadonlyArray<PracticeEntry> | undefined> => {
  const name = envNames.practices
  if (text === undefined) return Either.right(undefined)
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    // The parser's own message may quote the text, which holds API keys.
    return invalid(name, `must be a JSON object ${practicesExample}`)
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed) || Object.keys(parsed).length === 0) {
    return invalid(name, `must be a non-empty JSON object ${practicesExample}`)
  }
  const entries: Array<PracticeEntry> = []
  const problems: Array<string> = []
  for (const [place, value] of Object.entries(parsed)) {
    const label = placeId.test(place) ? place : `entry ${entries.length + problems.length + 1}`
    const fields = typeof value === "object" && value !== null ? value as Record<string, unknown> : {}
    const group = typeof fields.practiceGroupId === "string" ? fields.practiceGroupId.trim() : ""
    const apiKey = typeof fields.apiKey === "string" ? fields.apiKey.trim() : ""
    if (!placeId.test(place)) problems.push(`${label}: keys must be Slack channel (C…, G…) or team (T…) ids`)
    else if (group === "" || apiKey === "") problems.push(`${label}: needs a practiceGroupId and an apiKey`)
    else entries.push({ place, practiceGroupId: group, apiKey })
  }
  return problems.length > 0 ? invalid(name, `${practicesExample}; ${problems.join("; ")}`) : Either.right(entries)
}

const slackSettings = Config.all({
  signingSecret: variable(envNames.signingSecret, (text) =>
    text === undefined
      ? missing(
        envNames.signingSecret,
        "is required: copy the Signing Secret from the Slack app's Basic Information"
      )
      : Either.right(Redacted.make(text))),
  allowedTeamIds: variable(envNames.allowedTeamIds, (text) =>
    text === undefined
      ? missing(envNames.allowedTeamIds, "is required: the comma-separated Slack team ids allowed to use the command")
      : Either.map(ids(envNames.allowedTeamIds, "T0123ABCD")(text), (teams) => teams!)),
  allowedUserIds: variable(envNames.allowedUserIds, ids(envNames.allowedUserIds, "U0123ABCD")),
  allowedChannelIds: variable(envNames.allowedChannelIds, ids(envNames.allowedChannelIds, "C0123ABCD")),
  responseUrlOrigins: variable(envNames.responseUrlOrigins, (text) => {
    const items = (text ?? defaultResponseUrlOrigin).split(",").map((item) => item.trim()).filter((i) => i !== "")
    const origins = items.map(origin)
    const problem = origins.find(Either.isLeft)
    return problem !== undefined
      ? invalid(envNames.responseUrlOrigins, problem.left)
      : Either.right(new Set(origins.flatMap((item) => Either.isRight(item) ? [item.right] : [])))
  }),
  auditHashKey: variable(envNames.auditHashKey, (text) =>
    text === undefined
      ? missing(envNames.auditHashKey, "is required: a random secret of 32 or more characters (openssl rand -hex 32)")
      : text.length < minAuditHashKeyLength
      ? invalid(envNames.auditHashKey, `must be at least ${minAuditHashKeyLength} characters (openssl rand -hex 32)`)
      : Either.right(Redacted.make(text))),
  deadlineMillis: variable(envNames.deadline, wholeNumber(envNames.deadline, defaults.deadlineMillis, 1_000, 600_000)),
  maxQueued: variable(envNames.maxQueued, wholeNumber(envNames.maxQueued, defaults.maxQueued, 0, 100_000))
})

/** The `HERO_*` variables as a record, for core's `HeroConfig.make` to validate (once per practice). */
const heroEnv = Config.all(
  Object.values(HeroConfig.envNames).map((name) =>
    Config.option(Config.string(name)).pipe(Config.map((value) => [name, Option.getOrUndefined(value)] as const))
  )
).pipe(Config.map((entries) => Object.fromEntries(entries)))

const practicesOf = (
  entries: ReadonlyArray<PracticeEntry> | undefined,
  env: Readonly<Record<string, string | undefined>>
): Effect.Effect<Practices, ConfigError.ConfigError> => {
  if (entries === undefined) return Effect.map(HeroConfig.make(undefined, env), (hero) => ({ _tag: "Single", hero }))
  return Effect.gen(function*() {
    // One Hero configuration per practice group and key, shared by every place mapped to it.
    const byCredentials = new Map<string, HeroConfig.Service>()
    const places = new Map<string, HeroConfig.Service>()
    for (const { apiKey, place, practiceGroupId } of entries) {
      const key = `${practiceGroupId}\u0000${apiKey}`
      const hero = byCredentials.get(key) ?? (yield* HeroConfig.make({ apiKey, practiceGroupId }, env))
      byCredentials.set(key, hero)
      places.set(place, hero)
    }
    return { _tag: "ByPlace", places } as const
  })
}

const practicesConfig = Effect.flatMap(
  Config.all({ entries: variable(envNames.practices, practiceEntries), env: heroEnv }),
  ({ entries, env }) => practicesOf(entries, env)
)

/**
 * The configuration read through Effect's `Config` (any `ConfigProvider` works). Fails with one `ConfigError`
 * holding every variable at fault.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromConfig: Effect.Effect<Service, ConfigError.ConfigError> = Effect.map(
  Validate.both(slackSettings, practicesConfig),
  ([{ deadlineMillis, ...slack }, practices]) => {
    const hero = practices._tag === "Single" ? practices.hero : practices.places.values().next().value!
    return {
      ...slack,
      practices,
      deadline: Duration.millis(deadlineMillis),
      maxConcurrency: hero.maxConcurrency ?? defaults.maxConcurrency
    }
  }
)

/** A provider over a record of variables: strings as they are, numbers and booleans as text, others ignored. */
const providerOf = (env: Readonly<Record<string, unknown>>): ConfigProvider.ConfigProvider =>
  ConfigProvider.fromMap(
    new Map(
      Object.entries(env).flatMap(([name, value]) =>
        typeof value === "string" || typeof value === "number" || typeof value === "boolean"
          ? [[name, String(value)] as const]
          : []
      )
    )
  )

/**
 * Validates a configuration from a record of variables (e.g. `process.env` or a Worker's `env`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (env: Readonly<Record<string, unknown>>): Effect.Effect<Service, ConfigError.ConfigError> =>
  Effect.withConfigProvider(fromConfig, providerOf(env))

/**
 * What to tell an operator about a bad configuration: every variable at fault, in one line.
 *
 * @since 0.1.0
 */
export const describeError = (error: ConfigError.ConfigError): string =>
  `Invalid configuration: ${HeroConfig.configErrorMessages(error).join("; ")}`

/**
 * The configuration from a record of variables.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (env: Readonly<Record<string, unknown>>): Layer.Layer<SlackConfig, ConfigError.ConfigError> =>
  Layer.effect(SlackConfig, make(env))

/**
 * The configuration from the environment variables.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig: Layer.Layer<SlackConfig, ConfigError.ConfigError> = Layer.effect(SlackConfig, fromConfig)
