import { describe, expect, it } from "@effect/vitest"
import type * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as HeroConfig from "../src/HeroConfig.js"

const fromEnv = (env: Record<string, string>, defaults?: HeroConfig.Defaults) =>
  Effect.withConfigProvider(HeroConfig.fromConfig(defaults), ConfigProvider.fromMap(new Map(Object.entries(env))))

const messageOf = <A>(effect: Effect.Effect<A, ConfigError.ConfigError>) =>
  Effect.map(Effect.flip(effect), (error) => HeroConfig.configErrorMessages(error).join("; "))

const sandboxDefaults: HeroConfig.Defaults = {
  sandbox: { HERO_BASE_URL: "http://127.0.0.1:4010", HERO_API_KEY: "sb-key", HERO_PRACTICE_GROUP_ID: "sb-pg" }
}

describe("HeroConfig", () => {
  it.effect("reads the HERO_* variables with DESIGN's defaults", () =>
    Effect.gen(function*() {
      const config = yield* fromEnv({ HERO_API_KEY: "k", HERO_PRACTICE_GROUP_ID: "pg" })
      expect(config.environment).toBe("staging")
      expect(config.baseUrl).toBe("https://api.staging.htech.app")
      expect(Redacted.value(config.apiKey)).toBe("k")
      expect(String(config.apiKey)).not.toContain("k")
      expect(Duration.toMillis(config.timeout)).toBe(10_000)
      expect(config.retryPolicy.maxRetries).toBe(3)
      expect(Duration.toMillis(config.retryPolicy.maxRetryAfter)).toBe(60_000)
    }))

  it.effect("reads every variable", () =>
    Effect.gen(function*() {
      const config = yield* fromEnv({
        HERO_API_KEY: "k",
        HERO_PRACTICE_GROUP_ID: "pg",
        HERO_ENV: "production",
        HERO_TIMEOUT_MS: "2500",
        HERO_MAX_RETRIES: "0",
        HERO_MAX_RETRY_AFTER_MS: "5000"
      })
      expect(config.baseUrl).toBe("https://api.herohealth.net")
      expect(Duration.toMillis(config.timeout)).toBe(2_500)
      expect(config.retryPolicy.maxRetries).toBe(0)
      expect(Duration.toMillis(config.retryPolicy.maxRetryAfter)).toBe(5_000)
      const local = yield* fromEnv({
        HERO_API_KEY: "k",
        HERO_PRACTICE_GROUP_ID: "pg",
        HERO_BASE_URL: "http://[::1]:8080/"
      })
      expect(local.baseUrl).toBe("http://[::1]:8080")
    }))

  it.effect("reads the client-side rate and concurrency limits", () =>
    Effect.gen(function*() {
      const base = { HERO_API_KEY: "k", HERO_PRACTICE_GROUP_ID: "pg" }
      const unlimited = yield* fromEnv(base)
      expect([unlimited.maxRequestsPerSecond, unlimited.maxConcurrency]).toEqual([undefined, undefined])
      const limited = yield* fromEnv({ ...base, HERO_MAX_REQUESTS_PER_SECOND: "2.5", HERO_MAX_CONCURRENCY: "8" })
      expect([limited.maxRequestsPerSecond, limited.maxConcurrency]).toEqual([2.5, 8])
      expect(yield* messageOf(fromEnv({ ...base, HERO_MAX_REQUESTS_PER_SECOND: "0" }))).toContain(
        "HERO_MAX_REQUESTS_PER_SECOND must be a number of requests per second above 0"
      )
      expect(yield* messageOf(HeroConfig.make({ ...{ apiKey: "k", practiceGroupId: "pg" }, maxConcurrency: 0 })))
        .toContain("maxConcurrency must be a whole number from 1")
    }))

  it.effect("takes what an environment's defaults supply, only for that environment", () =>
    Effect.gen(function*() {
      const config = yield* fromEnv({ HERO_ENV: "sandbox" }, sandboxDefaults)
      expect([Redacted.value(config.apiKey), config.practiceGroupId, config.baseUrl]).toEqual(
        ["sb-key", "sb-pg", "http://127.0.0.1:4010"]
      )
      const own = yield* fromEnv({ HERO_ENV: "sandbox", HERO_API_KEY: "mine" }, sandboxDefaults)
      expect(Redacted.value(own.apiKey)).toBe("mine")
      expect(yield* messageOf(fromEnv({}, sandboxDefaults))).toContain("HERO_API_KEY is required")
      expect(yield* messageOf(fromEnv({ HERO_ENV: "sandbox", HERO_API_KEY: "k", HERO_PRACTICE_GROUP_ID: "pg" })))
        .toBe("HERO_BASE_URL is required: set it to where the sandbox is served (hero-pds sandbox prints it)")
    }))

  it.effect("reads the whole-call deadline", () =>
    Effect.gen(function*() {
      const base = { HERO_API_KEY: "k", HERO_PRACTICE_GROUP_ID: "pg" }
      expect((yield* fromEnv(base)).deadline).toBeUndefined()
      expect(Duration.toMillis((yield* fromEnv({ ...base, HERO_DEADLINE_MS: "20000" })).deadline!)).toBe(20_000)
      expect(yield* messageOf(fromEnv({ ...base, HERO_DEADLINE_MS: "0" }))).toBe(
        "HERO_DEADLINE_MS must be a whole number from 1 to 3600000"
      )
      const config = yield* HeroConfig.make({ apiKey: "k", practiceGroupId: "pg", deadlineMs: 1500 })
      expect(Duration.toMillis(config.deadline!)).toBe(1_500)
    }))

  it.effect("names every problem at once, not only the first", () =>
    Effect.gen(function*() {
      expect(yield* messageOf(fromEnv({ HERO_ENV: "prod", HERO_TIMEOUT_MS: "soon" }))).toBe([
        "HERO_ENV must be one of staging, production, sandbox",
        "HERO_API_KEY is required: set it to your Hero API key",
        "HERO_PRACTICE_GROUP_ID is required: set it to the practice group id Hero gave you",
        "HERO_TIMEOUT_MS must be a whole number from 1 to 600000"
      ].join("; "))
      expect(yield* messageOf(fromEnv({}))).toBe([
        "HERO_API_KEY is required: set it to your Hero API key",
        "HERO_PRACTICE_GROUP_ID is required: set it to the practice group id Hero gave you"
      ].join("; "))
    }))

  it.effect("counts an empty variable as unset", () =>
    Effect.gen(function*() {
      const config = yield* fromEnv({
        HERO_API_KEY: "k",
        HERO_PRACTICE_GROUP_ID: "pg",
        HERO_TIMEOUT_MS: " ",
        HERO_ENV: ""
      })
      expect([config.environment, Duration.toMillis(config.timeout)]).toEqual(["staging", 10_000])
      expect(yield* messageOf(fromEnv({ HERO_API_KEY: " ", HERO_PRACTICE_GROUP_ID: "pg" }))).toContain(
        "HERO_API_KEY is required"
      )
    }))

  it.effect("reads options over a Worker-style env record, ignoring bindings that are not values", () =>
    Effect.gen(function*() {
      const env = { HERO_API_KEY: "k", HERO_PRACTICE_GROUP_ID: "pg", HERO_TIMEOUT_MS: 2500, HERO_KV: { get() {} } }
      const config = yield* HeroConfig.make({ maxRetries: 1 }, env)
      expect([Duration.toMillis(config.timeout), config.retryPolicy.maxRetries]).toEqual([2_500, 1])
    }))

  it.effect("fails fast with messages that name the variable", () =>
    Effect.gen(function*() {
      expect(yield* messageOf(fromEnv({ HERO_PRACTICE_GROUP_ID: "pg" }))).toContain("HERO_API_KEY is required")
      expect(yield* messageOf(fromEnv({ HERO_API_KEY: "k" }))).toContain("HERO_PRACTICE_GROUP_ID is required")
      const base = { HERO_API_KEY: "k", HERO_PRACTICE_GROUP_ID: "pg" }
      expect(yield* messageOf(fromEnv({ ...base, HERO_ENV: "prod" }))).toContain(
        "HERO_ENV must be one of staging, production, sandbox"
      )
      expect(yield* messageOf(fromEnv({ ...base, HERO_BASE_URL: "http://api.example.com" }))).toContain(
        "HERO_BASE_URL must use https:"
      )
      expect(yield* messageOf(fromEnv({ ...base, HERO_BASE_URL: "not a url" }))).toContain("HERO_BASE_URL must be")
      expect(yield* messageOf(fromEnv({ ...base, HERO_TIMEOUT_MS: "ten" }))).toContain("HERO_TIMEOUT_MS must be")
      expect(yield* messageOf(fromEnv({ ...base, HERO_MAX_RETRIES: "-1" }))).toContain("HERO_MAX_RETRIES must be")
      expect(yield* messageOf(fromEnv({ ...base, HERO_MAX_RETRY_AFTER_MS: "1.5" }))).toContain(
        "HERO_MAX_RETRY_AFTER_MS must be"
      )
    }))

  it.effect("names the option, not the variable, for caller options", () =>
    Effect.gen(function*() {
      expect(yield* messageOf(HeroConfig.make({ apiKey: "k" }))).toContain("practiceGroupId is required")
      expect(
        yield* messageOf(HeroConfig.make({ apiKey: "k", practiceGroupId: "pg", baseUrl: "http://10.0.0.1" }))
      ).toContain("baseUrl must use https:")
      expect(yield* messageOf(HeroConfig.make({ apiKey: "k", practiceGroupId: "pg", timeoutMs: 0 }))).toContain(
        "timeoutMs must be a whole number"
      )
    }))

  it.effect("takes each setting from options first, then from the environment, naming whichever was used", () =>
    Effect.gen(function*() {
      const env = { HERO_API_KEY: "env-key", HERO_PRACTICE_GROUP_ID: "env-pg", HERO_TIMEOUT_MS: "x" }
      expect(yield* messageOf(HeroConfig.make({}, env))).toContain("HERO_TIMEOUT_MS must be")
      const config = yield* HeroConfig.make({ practiceGroupId: "opt-pg", timeoutMs: 5 }, env)
      expect([Redacted.value(config.apiKey), config.practiceGroupId]).toEqual(["env-key", "opt-pg"])
      expect(yield* messageOf(HeroConfig.make({ apiKey: "k" }, {}))).toContain(
        "practiceGroupId (or HERO_PRACTICE_GROUP_ID) is required"
      )
    }))

  it("converts a ConfigError into an Error for Promise users", () => {
    const error = Effect.runSync(Effect.flip(HeroConfig.make({ environment: "prod" as "staging", timeoutMs: -1 })))
    const converted = HeroConfig.HeroConfigError.fromConfigError(error)
    expect(converted).toBeInstanceOf(Error)
    expect(converted._tag).toBe("HeroConfigError")
    expect(converted.message).toBe(
      "Invalid configuration: environment must be one of staging, production, sandbox; " +
        "apiKey is required: set it to your Hero API key; " +
        "practiceGroupId is required: set it to the practice group id Hero gave you; " +
        "timeoutMs must be a whole number from 1 to 600000"
    )
  })

  it.effect("never puts the API key in an error", () =>
    Effect.gen(function*() {
      const message = yield* messageOf(
        HeroConfig.make({ apiKey: "s3cr3t-key", practiceGroupId: "pg", baseUrl: "ftp://x" })
      )
      expect(message).not.toContain("s3cr3t-key")
    }))
})
