import * as HeroConfig from "@hero-pds/core/HeroConfig"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import { describe, expect, it } from "vitest"
import * as SlackConfig from "../src/SlackConfig.js"

const base = { SLACK_SIGNING_SECRET: "secret-value", SLACK_ALLOWED_TEAM_IDS: "T0123ABCD, T0456EFGH" }
const load = (env: Record<string, string>) => Effect.runSync(Effect.either(SlackConfig.make(env)))
const messageOf = (env: Record<string, string>) => {
  const result = load(env)
  return Either.isLeft(result) ? HeroConfig.configErrorMessages(result.left).join("; ") : "valid"
}

describe("SlackConfig", () => {
  it("reads the variables, with hooks.slack.com as the default response_url origin", () => {
    const config = Either.getOrThrow(load(base))
    expect(Redacted.value(config.signingSecret)).toBe("secret-value")
    expect(String(config.signingSecret)).not.toContain("secret-value")
    expect([...config.allowedTeamIds]).toEqual(["T0123ABCD", "T0456EFGH"])
    expect(config.allowedUserIds).toBeUndefined()
    expect([...config.responseUrlOrigins]).toEqual(["https://hooks.slack.com"])
  })

  it("reads through Effect's Config as well", () => {
    const config = Effect.runSync(
      Effect.withConfigProvider(SlackConfig.fromConfig, ConfigProvider.fromMap(new Map(Object.entries(base))))
    )
    expect(config.allowedTeamIds.has("T0456EFGH")).toBe(true)
  })

  it("names the variable at fault", () => {
    expect(messageOf({ SLACK_ALLOWED_TEAM_IDS: "T0123ABCD" })).toContain("SLACK_SIGNING_SECRET")
    expect(messageOf({ SLACK_SIGNING_SECRET: "x" })).toContain("SLACK_ALLOWED_TEAM_IDS")
    expect(messageOf({ ...base, SLACK_ALLOWED_USER_IDS: "someone" })).toContain("SLACK_ALLOWED_USER_IDS")
    expect(messageOf({ ...base, SLACK_ALLOWED_CHANNEL_IDS: "#general" })).toContain("SLACK_ALLOWED_CHANNEL_IDS")
    for (const origins of ["http://hooks.slack.com", "https://hooks.slack.com/commands", "nope"]) {
      expect(messageOf({ ...base, SLACK_RESPONSE_URL_ORIGINS: origins })).toContain("SLACK_RESPONSE_URL_ORIGINS")
    }
    expect(messageOf({ ...base, SLACK_RESPONSE_URL_ORIGINS: "http://127.0.0.1:3001" })).toBe("valid")
    expect(messageOf({ ...base, SLACK_SIGNING_SECRET: "secret-value", SLACK_ALLOWED_TEAM_IDS: "bad id" })).not
      .toContain("secret-value")
  })
})
