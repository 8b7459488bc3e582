/**
 * The Slack side of the configuration: the signing secret, who may use the command, and where results may be
 * sent. Read from `SLACK_*` variables; bad values fail fast with a message naming the variable.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

/**
 * A validated Slack configuration.
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
}

/**
 * The Slack configuration service.
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
  responseUrlOrigins: "SLACK_RESPONSE_URL_ORIGINS"
} as const

/**
 * Where Slack's `response_url`s live, used when `SLACK_RESPONSE_URL_ORIGINS` is not set.
 *
 * @since 0.1.0
 */
export const defaultResponseUrlOrigin = "https://hooks.slack.com"

const slackId = /^[A-Z0-9]{2,32}$/
const loopbackHosts: ReadonlySet<string> = new Set(["127.0.0.1", "[::1]", "localhost"])

class Invalid {
  constructor(readonly error: ConfigError.ConfigError) {}
}

const invalid = (name: string, message: string): never => {
  throw new Invalid(ConfigError.InvalidData([name], `${name} ${message}`))
}

const list = (value: string | undefined): ReadonlyArray<string> | undefined => {
  if (value === undefined || value.trim() === "") return undefined
  return value.split(",").map((item) => item.trim()).filter((item) => item !== "")
}

const ids = (name: string, value: string | undefined, example: string): ReadonlySet<string> | undefined => {
  const items = list(value)
  if (items === undefined) return undefined
  if (items.length === 0 || !items.every((item) => slackId.test(item))) {
    return invalid(name, `must be a comma-separated list of Slack ids such as ${example}`)
  }
  return new Set(items)
}

const origin = (name: string, value: string): string => {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return invalid(name, "must list origins such as https://hooks.slack.com")
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopbackHosts.has(url.hostname))) {
    return invalid(name, "must list https: origins (plain http: only for 127.0.0.1, ::1 or localhost)")
  }
  if (url.username !== "" || url.password !== "" || url.pathname !== "/" || url.search !== "" || url.hash !== "") {
    return invalid(name, "must list bare origins (scheme, host and port only), such as https://hooks.slack.com")
  }
  return url.origin
}

/**
 * Validates a configuration from a record of `SLACK_*` variables (e.g. `process.env` or a Worker's `env`).
 * Fails with a `ConfigError` whose message names the variable at fault.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (env: Readonly<Record<string, unknown>>): Effect.Effect<Service, ConfigError.ConfigError> =>
  Effect.suspend(() => {
    const text = (name: string): string | undefined => {
      const value = env[name]
      return typeof value === "string" ? value : undefined
    }
    try {
      const secret = text(envNames.signingSecret)?.trim()
      if (secret === undefined || secret === "") {
        throw new Invalid(
          ConfigError.MissingData(
            [envNames.signingSecret],
            `${envNames.signingSecret} is required: copy the Signing Secret from the Slack app's Basic Information`
          )
        )
      }
      const teams = ids(envNames.allowedTeamIds, text(envNames.allowedTeamIds), "T0123ABCD")
      if (teams === undefined) {
        throw new Invalid(
          ConfigError.MissingData(
            [envNames.allowedTeamIds],
            `${envNames.allowedTeamIds} is required: the comma-separated Slack team ids allowed to use the command`
          )
        )
      }
      const origins = list(text(envNames.responseUrlOrigins)) ?? [defaultResponseUrlOrigin]
      return Effect.succeed<Service>({
        signingSecret: Redacted.make(secret),
        allowedTeamIds: teams,
        allowedUserIds: ids(envNames.allowedUserIds, text(envNames.allowedUserIds), "U0123ABCD"),
        allowedChannelIds: ids(envNames.allowedChannelIds, text(envNames.allowedChannelIds), "C0123ABCD"),
        responseUrlOrigins: new Set(origins.map((value) => origin(envNames.responseUrlOrigins, value)))
      })
    } catch (error) {
      if (error instanceof Invalid) return Effect.fail(error.error)
      throw error
    }
  })

/**
 * The configuration read from the `SLACK_*` variables through Effect's `Config` (any `ConfigProvider` works).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromConfig: Effect.Effect<Service, ConfigError.ConfigError> = Effect.flatMap(
  Config.all(
    Object.values(envNames).map((name) =>
      Config.option(Config.string(name)).pipe(Config.map((value) => [name, Option.getOrUndefined(value)] as const))
    )
  ),
  (entries) => make(Object.fromEntries(entries))
)

/**
 * The configuration from a record of variables.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (env: Readonly<Record<string, unknown>>): Layer.Layer<SlackConfig, ConfigError.ConfigError> =>
  Layer.effect(SlackConfig, make(env))

/**
 * The configuration from the `SLACK_*` environment variables.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig: Layer.Layer<SlackConfig, ConfigError.ConfigError> = Layer.effect(SlackConfig, fromConfig)
