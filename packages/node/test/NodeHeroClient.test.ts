import { afterEach, describe, expect, it } from "@effect/vitest"
import * as HeroClient from "@hero-pds/core/HeroClient"
import * as HeroConfig from "@hero-pds/core/HeroConfig"
import * as NodeSandboxServer from "@hero-pds/sandbox/NodeSandboxServer"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { contract } from "../../core/test/contract.js"
import * as Hero from "../src/index.js"
import * as NodeHeroClient from "../src/NodeHeroClient.js"
import { type Answer, scriptedServer } from "./utils/scriptedServer.js"

contract("NodeHeroClient over HTTP", ({ config, faults = [] }) =>
  Layer.unwrapScoped(
    Effect.map(NodeSandboxServer.serve({ faults: { script: faults } }), ({ url }) =>
      NodeHeroClient.layer({ environment: "sandbox", baseUrl: url, ...config }))
  ))

const jane = { nhsNumber: "9000000009", dob: "2010-10-22" }
const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()))
})

/** A Promise client against a fresh sandbox served over HTTP, with faults scripted first. */
const againstSandbox = async (options: Hero.Options = {}, faults: NodeSandboxServer.Options["faults"] = {}) => {
  const server = await NodeSandboxServer.start({ faults })
  const client = Hero.createHeroClient({
    environment: "sandbox",
    baseUrl: server.url,
    retryInitialDelayMs: 5,
    retryMaxDelayMs: 10,
    ...options
  })
  cleanups.push(() => client.close(), () => server.close())
  return client
}

const rejection = (promise: Promise<unknown>) => promise.then(() => expect.fail("expected a rejection"), (e) => e)

describe("createHeroClient over HTTP", () => {
  it("resolves both results", async () => {
    const client = await againstSandbox()
    expect(await client.registerPds(jane)).toMatchObject({ _tag: "Registered", patientId: "98765" })
    const verification = await client.registerPds({ nhsNumber: "9000000017", dob: "1985-03-14" })
    expect(verification).toBeInstanceOf(Hero.VerificationRequired)
  })

  const cases: ReadonlyArray<
    [string, new(...args: Array<any>) => Error, Partial<Hero.Options>, NodeSandboxServer.Options["faults"], object]
  > = [
    ["BadRequest", Hero.BadRequest, {}, {
      script: [{ _tag: "Malformed", status: 400, body: "{\"error\":true,\"statusCode\":400,\"message\":[]}" }]
    }, { status: 400 }],
    ["Unauthorized", Hero.Unauthorized, { apiKey: "wrong" }, {}, { status: 401 }],
    ["Forbidden", Hero.Forbidden, { practiceGroupId: "other" }, {}, { status: 403 }],
    ["RateLimited", Hero.RateLimited, {}, { script: [{ _tag: "Status", status: 429, retryAfter: "600" }] }, {
      retryAfter: 600_000
    }],
    ["ServerError", Hero.ServerError, { maxRetries: 1 }, {
      script: [{ _tag: "Status", status: 500 }, { _tag: "Status", status: 500 }]
    }, { status: 500, attempts: 2 }],
    ["TransportError", Hero.TransportError, { maxRetries: 1 }, { script: [{ _tag: "Drop" }, { _tag: "Drop" }] }, {
      reason: "Network",
      attempts: 2
    }],
    ["TransportError", Hero.TransportError, { maxRetries: 0, timeoutMs: 50 }, {
      script: [{ _tag: "Delay", millis: 1_000 }]
    }, { reason: "Timeout" }],
    ["UnexpectedResponse", Hero.UnexpectedResponse, {}, { script: [{ _tag: "Malformed", body: "<html>" }] }, {
      status: 200
    }]
  ]
  for (const [tag, errorClass, options, faults, fields] of cases) {
    it(`rejects with ${tag} itself (${JSON.stringify(fields)})`, async () => {
      const client = await againstSandbox(options, faults)
      const error = await rejection(client.registerPds(jane))
      expect(error).toBeInstanceOf(errorClass)
      expect(error).toMatchObject({ _tag: tag, ...fields })
    })
  }

  it("rejects with PatientNotFound and InvalidInput", async () => {
    const client = await againstSandbox()
    expect(await rejection(client.registerPds({ nhsNumber: "9990000018", dob: "2000-01-01" }))).toBeInstanceOf(
      Hero.PatientNotFound
    )
    expect(await rejection(client.registerPds({ nhsNumber: "123 456 7891", dob: "1992-01-01" }))).toBeInstanceOf(
      Hero.InvalidInput
    )
  })

  it("throws HeroConfigError for bad configuration before any request", () => {
    expect(() => Hero.createHeroClient({ environment: "staging", apiKey: "k", practiceGroupId: "" })).toThrow(
      Hero.HeroConfigError
    )
    expect(() => Hero.createHeroClient({ apiKey: "k", practiceGroupId: "pg", baseUrl: "http://example.com" })).toThrow(
      /baseUrl must use https:/
    )
  })

  it("uses the embedded sandbox for the sandbox environment at its default address", async () => {
    const client = Hero.createHeroClient({ environment: "sandbox" })
    cleanups.push(() => client.close())
    expect(await client.registerPds(jane)).toMatchObject({ _tag: "Registered", patientId: "98765" })
  })

  it("reuses its keep-alive connections instead of opening one per call", async () => {
    const server = await scriptedServer([{ status: 200, body: { patient_id: "1" } }])
    cleanups.push(server.close)
    const client = Hero.createHeroClient({ apiKey: "k", practiceGroupId: "pg", baseUrl: server.url })
    cleanups.push(() => client.close())
    for (let i = 0; i < 20; i++) await client.registerPds(jane)
    expect(server.arrivals).toHaveLength(20)
    expect(server.connections()).toBeLessThanOrEqual(2)
  })
})

describe("retries over real HTTP", () => {
  const retried = async (answers: ReadonlyArray<Answer>) => {
    const server = await scriptedServer(answers)
    cleanups.push(server.close)
    const client = Hero.createHeroClient({
      apiKey: "k",
      practiceGroupId: "pg",
      baseUrl: server.url,
      retryInitialDelayMs: 20
    })
    cleanups.push(() => client.close())
    const result = await client.registerPds(jane)
    return { result, arrivals: server.arrivals }
  }

  it("answers 429 with Retry-After: 1, then 200: waits a second and registers", async () => {
    const { arrivals, result } = await retried([
      { status: 429, headers: { "retry-after": "1" } },
      { status: 200, body: { patient_id: "98765" } }
    ])
    expect(result).toMatchObject({ _tag: "Registered", patientId: "98765" })
    expect(arrivals).toHaveLength(2)
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(990)
  })

  it("answers 503 twice, then 200: registers on the third attempt", async () => {
    const { arrivals, result } = await retried([
      { status: 503 },
      { status: 503 },
      { status: 200, body: { patient_id: 98765 } }
    ])
    expect(result).toMatchObject({ _tag: "Registered", patientId: "98765" })
    expect(arrivals).toHaveLength(3)
  })

  it("times out a body that stops arriving, natively in undici, then retries", async () => {
    const server = await scriptedServer(["stall-body", { status: 200, body: { patient_id: "98765" } }])
    cleanups.push(server.close)
    const client = Hero.createHeroClient({ apiKey: "k", practiceGroupId: "pg", baseUrl: server.url, timeoutMs: 200 })
    cleanups.push(() => client.close())
    expect(await client.registerPds(jane)).toMatchObject({ _tag: "Registered", patientId: "98765" })
    expect(server.arrivals).toHaveLength(2)
    const stalled = await scriptedServer(["stall-body"])
    cleanups.push(stalled.close)
    const once = Hero.createHeroClient({
      apiKey: "k",
      practiceGroupId: "pg",
      baseUrl: stalled.url,
      timeoutMs: 200,
      maxRetries: 0
    })
    cleanups.push(() => once.close())
    expect(await rejection(once.registerPds(jane))).toMatchObject({
      _tag: "TransportError",
      reason: "Timeout",
      attempts: 1
    })
  })

  it("drops the connection once, then 200: registers on the second attempt", async () => {
    const { arrivals, result } = await retried(["drop", { status: 200, body: { patient_id: "98765" } }])
    expect(result).toMatchObject({ _tag: "Registered", patientId: "98765" })
    expect(arrivals).toHaveLength(2)
  })
})

describe("NodeHeroClient layers", () => {
  it.effect("layerConfig reads HERO_* through Config (HERO_ENV=sandbox: the embedded sandbox)", () =>
    Effect.gen(function*() {
      const result = yield* HeroClient.registerPds(jane).pipe(
        Effect.provide(NodeHeroClient.layerConfig),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["HERO_ENV", "sandbox"]])))
      )
      expect(result).toMatchObject({ _tag: "Registered", patientId: "98765" })
    }))

  it.effect("layerConfig fails with a ConfigError naming the variable", () =>
    Effect.gen(function*() {
      const error = yield* HeroClient.registerPds(jane).pipe(
        Effect.provide(NodeHeroClient.layerConfig),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["HERO_API_KEY", "k"]]))),
        Effect.flip
      )
      expect(error._tag === "ConfigError" && HeroConfig.configErrorMessages(error)).toEqual([
        "HERO_PRACTICE_GROUP_ID is required: set it to the practice group id Hero gave you"
      ])
    }))
})
