import * as HeroConfig from "@hero-pds/core/HeroConfig"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import { describe, expect, it } from "vitest"
import * as SlackConfig from "../src/SlackConfig.js"

const auditKey = "audit-key-0123456789abcdef0123456789"
const base = {
  SLACK_SIGNING_SECRET: "secret-value",
  SLACK_ALLOWED_TEAM_IDS: "T0123ABCD, T0456EFGH",
  AUDIT_HASH_KEY: auditKey,
  HERO_API_KEY: "hero-key-value",
  HERO_PRACTICE_GROUP_ID: "group-1"
}
const load = (env: Record<string, string>) => Effect.runSync(Effect.either(SlackConfig.make(env)))
const messageOf = (env: Record<string, string>) => {
  const result = load(env)
  return Either.isLeft(result) ? HeroConfig.HeroConfigError.fromConfigError(result.left).message : "valid"
}
const practices = (value: unknown) => JSON.stringify(value)

describe("SlackConfig", () => {
  it("reads the variables, with the app's defaults: hooks.slack.com, 20 s deadline, 8 in flight, 64 waiting", () => {
    const config = Either.getOrThrow(load(base))
    expect(Redacted.value(config.signingSecret)).toBe("secret-value")
    expect(String(config.signingSecret)).not.toContain("secret-value")
    expect(String(config.auditHashKey)).not.toContain(auditKey)
    expect([...config.allowedTeamIds]).toEqual(["T0123ABCD", "T0456EFGH"])
    expect(config.allowedUserIds).toBeUndefined()
    expect([...config.responseUrlOrigins]).toEqual(["https://hooks.slack.com"])
    expect(Duration.toMillis(config.deadline)).toBe(20_000)
    expect(config.maxConcurrency).toBe(8)
    expect(config.maxQueued).toBe(64)
    expect(config.practices._tag).toBe("Single")
    const tuned = Either.getOrThrow(
      load({ ...base, HERO_DEADLINE_MS: "5000", HERO_MAX_CONCURRENCY: "3", SLACK_MAX_QUEUED_COMMANDS: "10" })
    )
    expect([Duration.toMillis(tuned.deadline), tuned.maxConcurrency, tuned.maxQueued]).toEqual([5_000, 3, 10])
  })

  it("reads through Effect's Config as well", () => {
    const config = Effect.runSync(
      Effect.withConfigProvider(SlackConfig.fromConfig(), ConfigProvider.fromMap(new Map(Object.entries(base))))
    )
    expect(config.allowedTeamIds.has("T0456EFGH")).toBe(true)
  })

  it("maps channels and teams to practices with SLACK_PRACTICES; no HERO_API_KEY needed then", () => {
    const { HERO_API_KEY: _key, HERO_PRACTICE_GROUP_ID: _group, ...slackOnly } = base
    const config = Either.getOrThrow(load({
      ...slackOnly,
      SLACK_PRACTICES: practices({
        C0000000A: { practiceGroupId: "group-a", apiKey: "key-a" },
        G0000000B: { practiceGroupId: "group-b", apiKey: "key-b" },
        T0123ABCD: { practiceGroupId: "group-a", apiKey: "key-a" }
      })
    }))
    if (config.practices._tag !== "ByPlace") throw new Error("expected practices by place")
    const places = config.practices.places
    expect(places.get("C0000000A")!.practiceGroupId).toBe("group-a")
    expect(Redacted.value(places.get("G0000000B")!.apiKey)).toBe("key-b")
    // The same practice group and key is one configuration (and so one client, one rate limit).
    expect(places.get("T0123ABCD")).toBe(places.get("C0000000A"))
  })

  it("names every variable at fault at once, never a value", () => {
    const message = messageOf({
      SLACK_ALLOWED_USER_IDS: "someone",
      SLACK_RESPONSE_URL_ORIGINS: "http://evil.example",
      AUDIT_HASH_KEY: "short-secret-value",
      HERO_TIMEOUT_MS: "soon"
    })
    for (
      const name of [
        "SLACK_SIGNING_SECRET",
        "SLACK_ALLOWED_TEAM_IDS",
        "SLACK_ALLOWED_USER_IDS",
        "SLACK_RESPONSE_URL_ORIGINS",
        "AUDIT_HASH_KEY",
        "HERO_API_KEY"
      ]
    ) {
      expect(message).toContain(name)
    }
    expect(message).toMatch(/^Invalid configuration: /)
    expect(message).not.toContain("short-secret-value")
  })

  it("names the variable at fault", () => {
    expect(messageOf({ ...base, SLACK_ALLOWED_CHANNEL_IDS: "#general" })).toContain("SLACK_ALLOWED_CHANNEL_IDS")
    for (const origins of ["http://hooks.slack.com", "https://hooks.slack.com/commands", "nope"]) {
      expect(messageOf({ ...base, SLACK_RESPONSE_URL_ORIGINS: origins })).toContain("SLACK_RESPONSE_URL_ORIGINS")
    }
    expect(messageOf({ ...base, SLACK_RESPONSE_URL_ORIGINS: "http://127.0.0.1:3001" })).toBe("valid")
    expect(messageOf({ ...base, SLACK_ALLOWED_TEAM_IDS: "bad id" })).not.toContain("secret-value")
    expect(messageOf({ ...base, HERO_DEADLINE_MS: "20s" })).toContain("HERO_DEADLINE_MS")
    expect(messageOf({ ...base, SLACK_MAX_QUEUED_COMMANDS: "-1" })).toContain("SLACK_MAX_QUEUED_COMMANDS")
  })

  it("refuses a bad SLACK_PRACTICES without quoting it (it holds API keys)", () => {
    const secretKey = "hero_live_sk_SECRET"
    for (
      const value of [
        `{"C0000000A": {"practiceGroupId": "g", "apiKey": "${secretKey}"`,
        practices([{ practiceGroupId: "g", apiKey: secretKey }]),
        practices({}),
        practices({ general: { practiceGroupId: "g", apiKey: secretKey } }),
        practices({ C0000000A: { practiceGroupId: "g" } }),
        practices({ C0000000A: { practiceGroupId: "", apiKey: secretKey } })
      ]
    ) {
      const message = messageOf({ ...base, SLACK_PRACTICES: value })
      expect(message, value).toContain("SLACK_PRACTICES")
      expect(message, value).not.toContain(secretKey)
    }
    expect(messageOf({ ...base, SLACK_PRACTICES: practices({ C0000000A: { practiceGroupId: "g" } }) })).toContain(
      "C0000000A: needs a practiceGroupId and an apiKey"
    )
  })
})
