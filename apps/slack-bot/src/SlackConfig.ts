/**
 * The app's configuration: the Slack side (`SLACK_*`: signing secret, who may use the command, where results may
 * be sent, which practice each place belongs to), the audit hash key, and Hero's (`HERO_*`, validated by core's
 * `HeroConfig`, once per practice). Read through Effect's `Config`, so every invalid or missing variable is named
 * at once, never a value.
 *
 * @since 0.1.0
 */
import * as EnvConfig from "@hero-pds/core/EnvConfig"
import * as HeroConfig from "@hero-pds/core/HeroConfig"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
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
export const appDefaults = { deadlineMillis: 20_000, maxConcurrency: 8, maxQueued: 64 } as const

/**
 * The shortest audit hash key accepted, in characters.
 *
 * @since 0.1.0
 */
export const minAuditHashKeyLength = 32

const slackId = /^[A-Z0-9]{2,32}$/
const placeId = /^[CGT][A-Z0-9]{2,31}$/

/** The part of the deadline kept for delivering the follow-up: 3 s, or a quarter of a short deadline. */
const deliveryReserve = (deadline: Duration.Duration): Duration.Duration =>
  Duration.min(Duration.seconds(3), Duration.times(deadline, 0.25))

/**
 * How long Hero may take for a command (queue wait included): its deadline less the time kept for delivering the
 * follow-up. Each practice's Hero client gets it as its call deadline.
 *
 * @since 0.1.0
 */
export const heroBudget = (deadline: Duration.Duration): Duration.Duration =>
  Duration.subtract(deadline, deliveryReserve(deadline))

const ids = (example: string) => (value: string): Either.Either<ReadonlySet<string>, string> => {
  const items = value.split(",").map((item) => item.trim()).filter((item) => item !== "")
  return items.length > 0 && items.every((item) => slackId.test(item))
    ? Either.right(new Set(items))
    : Either.left(`must be a comma-separated list of Slack ids such as ${example}`)
}

const origins = (value: string): Either.Either<ReadonlySet<string>, string> => {
  const found = new Set<string>()
  for (const item of value.split(",").map((item) => item.trim()).filter((item) => item !== "")) {
    const url = EnvConfig.secureUrl(item)
    if (Either.isLeft(url)) return Either.left(`must list origins such as https://hooks.slack.com: each ${url.left}`)
    if (new URL(url.right).origin !== url.right) {
      return Either.left("must list bare origins (scheme, host and port only), such as https://hooks.slack.com")
    }
    found.add(url.right)
  }
  return found.size > 0 ? Either.right(found) : Either.left("must list at least one origin")
}

/** An entry of `SLACK_PRACTICES`, before Hero's checks. */
interface PracticeEntry {
  readonly place: string
  readonly practiceGroupId: string
  readonly apiKey: string
}

const practicesExample = `such as {"C0123ABCD": {"practiceGroupId": "...", "apiKey": "..."}}`

/** Reads `SLACK_PRACTICES`; messages name the entry at fault by its place id, never a value. */
const practiceEntries = (value: string): Either.Either<ReadonlyArray<PracticeEntry>, string> => {
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch {
    // The parser's own message may quote the text, which holds API keys.
    return Either.left(`must be a JSON object ${practicesExample}`)
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed) || Object.keys(parsed).length === 0) {
    return Either.left(`must be a non-empty JSON object ${practicesExample}`)
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
  return problems.length > 0 ? Either.left(`${practicesExample}; ${problems.join("; ")}`) : Either.right(entries)
}

const auditKey = (value: string): Either.Either<Redacted.Redacted<string>, string> =>
  value.length >= minAuditHashKeyLength
    ? Either.right(Redacted.make(value))
    : Either.left(`must be at least ${minAuditHashKeyLength} characters (openssl rand -hex 32)`)

/** A parsed variable that must be set. */
const requiredParsed = <A>(name: string, parse: (value: string) => Either.Either<A, string>, hint: string) =>
  EnvConfig.required(name, (name) => Config.map(EnvConfig.parsed(name, parse, undefined), Option.fromNullable), hint)

const slackSettings = Config.all({
  signingSecret: EnvConfig.required(
    envNames.signingSecret,
    EnvConfig.secret,
    "copy the Signing Secret from the Slack app's Basic Information"
  ),
  allowedTeamIds: requiredParsed(
    envNames.allowedTeamIds,
    ids("T0123ABCD"),
    "the comma-separated Slack team ids allowed to use the command"
  ),
  allowedUserIds: EnvConfig.parsed(envNames.allowedUserIds, ids("U0123ABCD"), undefined),
  allowedChannelIds: EnvConfig.parsed(envNames.allowedChannelIds, ids("C0123ABCD"), undefined),
  responseUrlOrigins: EnvConfig.parsed(
    envNames.responseUrlOrigins,
    origins,
    new Set([defaultResponseUrlOrigin]) as ReadonlySet<string>
  ),
  auditHashKey: requiredParsed(
    envNames.auditHashKey,
    auditKey,
    "a random secret of 32 or more characters (openssl rand -hex 32)"
  ),
  maxQueued: EnvConfig.wholeNumber(envNames.maxQueued, { min: 0, max: 100_000, fallback: appDefaults.maxQueued })
})

/** Hero's configuration through the ambient provider, with this practice's credentials laid over it. */
const heroConfig = (defaults: HeroConfig.Defaults | undefined, entry?: PracticeEntry) =>
  entry === undefined ?
    HeroConfig.fromConfig(defaults) :
    Effect.configProviderWith((provider) =>
      Effect.withConfigProvider(
        HeroConfig.fromConfig(defaults),
        ConfigProvider.orElse(
          EnvConfig.fromRecord({
            [HeroConfig.envNames.apiKey]: entry.apiKey,
            [HeroConfig.envNames.practiceGroupId]: entry.practiceGroupId
          }),
          () => provider
        )
      )
    )

const practicesOf = (
  defaults: HeroConfig.Defaults | undefined
): Effect.Effect<Practices, ConfigError.ConfigError> =>
  Effect.flatMap(EnvConfig.parsed(envNames.practices, practiceEntries, undefined), (entries) => {
    if (entries === undefined) {
      return Effect.map(heroConfig(defaults), (hero): Practices => ({ _tag: "Single", hero }))
    }
    return Effect.gen(function*() {
      // One Hero configuration per practice group and key, shared by every place mapped to it.
      const byCredentials = new Map<string, HeroConfig.Service>()
      const places = new Map<string, HeroConfig.Service>()
      for (const entry of entries) {
        const key = `${entry.practiceGroupId}\u0000${entry.apiKey}`
        const hero = byCredentials.get(key) ?? (yield* heroConfig(defaults, entry))
        byCredentials.set(key, hero)
        places.set(entry.place, hero)
      }
      return { _tag: "ByPlace", places } satisfies Practices as Practices
    })
  })

/**
 * The configuration read through the ambient `ConfigProvider` (the environment by default), with `defaults` for
 * Hero environments that supply their own (on Node, the embedded sandbox's). Fails with one `ConfigError` holding
 * every variable at fault.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromConfig = (defaults?: HeroConfig.Defaults): Effect.Effect<Service, ConfigError.ConfigError> =>
  Effect.map(
    Validate.both(slackSettings, practicesOf(defaults)),
    ([slack, practices]) => {
      const hero = practices._tag === "Single" ? practices.hero : practices.places.values().next().value!
      return {
        ...slack,
        practices,
        deadline: hero.deadline ?? Duration.millis(appDefaults.deadlineMillis),
        maxConcurrency: hero.maxConcurrency ?? appDefaults.maxConcurrency
      }
    }
  )

/**
 * Validates a configuration from a record of variables (e.g. `process.env` or a Worker's `env`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  env: object,
  defaults?: HeroConfig.Defaults
): Effect.Effect<Service, ConfigError.ConfigError> =>
  Effect.withConfigProvider(fromConfig(defaults), EnvConfig.fromRecord(env))

/**
 * The configuration from a record of variables.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  env: object,
  defaults?: HeroConfig.Defaults
): Layer.Layer<SlackConfig, ConfigError.ConfigError> => Layer.effect(SlackConfig, make(env, defaults))

/**
 * The configuration from the environment variables.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (defaults?: HeroConfig.Defaults): Layer.Layer<SlackConfig, ConfigError.ConfigError> =>
  Layer.effect(SlackConfig, fromConfig(defaults))
