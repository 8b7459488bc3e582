import { describe, expect, it } from "@effect/vitest"
import * as HeroClient from "@hero-pds/core/HeroClient"
import * as NodeSandboxServer from "@hero-pds/sandbox/NodeSandboxServer"
import * as Sandbox from "@hero-pds/sandbox/Sandbox"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { afterAll, beforeAll, vi } from "vitest"
import { contract, patients } from "../../core/test/contract.js"
import {
  createHeroClient,
  EdgeHeroClient,
  HeroConfigError,
  InvalidInput,
  isHeroError,
  PatientNotFound,
  Registered,
  ServerError,
  TransportError,
  VerificationRequired
} from "../src/index.js"

// The contract, over real HTTP: `EdgeHeroClient.layer` (FetchHttpClient) against a fresh sandbox per scenario,
// served by Node on 127.0.0.1 and a free port for the lifetime of the scenario's layer.
contract("EdgeHeroClient over HTTP", ({ config, faults = [] }) =>
  Layer.unwrapScoped(
    Effect.map(
      NodeSandboxServer.serve({ faults: { script: faults } }),
      ({ url }) => EdgeHeroClient.layer({ ...local, baseUrl: url, ...config })
    )
  ))

/** A loopback target with the sandbox's credentials (the edge has no embedded sandbox to supply them). */
const local = {
  environment: "sandbox",
  baseUrl: Sandbox.defaultUrl,
  apiKey: Sandbox.apiKey,
  practiceGroupId: Sandbox.practiceGroupId
} as const

/** A `fetch` that answers every call itself and records what it was asked. */
const fakeFetch = (answer: () => Response) => {
  const calls: Array<
    {
      readonly url: string
      readonly headers: Headers
      readonly body: unknown
      readonly redirect: RequestRedirect | undefined
    }
  > = []
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({
      url: String(input),
      headers: new Headers(init?.headers),
      redirect: init?.redirect,
      body: typeof init?.body === "string"
        ? JSON.parse(init.body)
        : init?.body instanceof Uint8Array
        ? JSON.parse(new TextDecoder().decode(init.body))
        : init?.body
    })
    return answer()
  }) as typeof globalThis.fetch
  return { fetch, calls }
}

const rejection = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then((value) => {
    throw new Error(`Expected a rejection, got ${JSON.stringify(value)}`)
  }, (error: unknown) => error)

describe("createHeroClient (Promise API over HTTP)", () => {
  let sandbox: NodeSandboxServer.Started
  const sandboxOptions = () => ({ ...local, baseUrl: sandbox.url })

  beforeAll(async () => {
    sandbox = await NodeSandboxServer.start({ rateLimit: false })
  })
  afterAll(() => sandbox.close())

  it("resolves with Registered and VerificationRequired instances", async () => {
    const hero = createHeroClient(sandboxOptions())
    const registered = await hero.registerPds(patients.jane)
    expect(registered).toBeInstanceOf(Registered)
    expect(registered).toMatchObject({ _tag: "Registered", patientId: "98765" })
    const verification = await hero.registerPds(patients.olivia)
    expect(verification).toBeInstanceOf(VerificationRequired)
    expect(verification._tag).toBe("VerificationRequired")
    await hero.close()
  })

  it("rejects with the HeroError instance itself, never a FiberFailure wrapper", async () => {
    const hero = createHeroClient(sandboxOptions())
    const error = await rejection(hero.registerPds(patients.unknown))
    expect(error).toBeInstanceOf(PatientNotFound)
    expect(error).toBeInstanceOf(Error)
    expect(Object.getPrototypeOf(error)).toBe(PatientNotFound.prototype)
    expect(isHeroError(error)).toBe(true)
    expect(error).toMatchObject({ _tag: "PatientNotFound", status: 404, attempts: 1 })
    expect(String((error as Error).message)).not.toContain("9990000018")
    await hero.close()
  })

  it("rejects invalid input with InvalidInput, per field, without a request", async () => {
    const { calls, fetch } = fakeFetch(() => Response.json({ patient_id: "1" }))
    const hero = createHeroClient({ ...local, fetch })
    const error = await rejection(hero.registerPds({ nhsNumber: "123 456 7891", dob: "3000-01-01" }))
    expect(error).toBeInstanceOf(InvalidInput)
    expect((error as InvalidInput).issues.map((issue) => issue.path)).toEqual(["nhsNumber", "dob"])
    expect(calls).toEqual([])
  })

  it("times out a slow attempt as TransportError", async () => {
    const slow = await NodeSandboxServer.start({ faults: { script: [{ _tag: "Delay", millis: 2_000 }] } })
    const hero = createHeroClient({ ...local, baseUrl: slow.url, timeoutMs: 100, maxRetries: 0 })
    const error = await rejection(hero.registerPds(patients.jane))
    expect(error).toBeInstanceOf(TransportError)
    expect(error).toMatchObject({ reason: "Timeout", attempts: 1 })
    await hero.close()
    await slow.close()
  })

  it("stops a call, retries included, when its signal aborts", async () => {
    const slow = await NodeSandboxServer.start({ faults: { script: [{ _tag: "Delay", millis: 5_000 }] } })
    const hero = createHeroClient({ ...local, baseUrl: slow.url })
    const controller = new AbortController()
    const started = Date.now()
    const call = rejection(hero.registerPds(patients.jane, { signal: controller.signal }))
    setTimeout(() => controller.abort(), 50)
    const error = await call
    expect(error).toBeInstanceOf(Error)
    expect(isHeroError(error)).toBe(false)
    expect(Date.now() - started).toBeLessThan(2_000)
    await hero.close()
    await slow.close()
  })

  it("rejects calls after close(), and close() may be called twice", async () => {
    const hero = createHeroClient(sandboxOptions())
    expect(await hero.registerPds(patients.jane)).toBeInstanceOf(Registered)
    await hero.close()
    await hero.close()
    const error = await rejection(hero.registerPds(patients.jane))
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toContain("closed")
  })
})

describe("createHeroClient configuration (options from the caller only)", () => {
  it("throws HeroConfigError at once, naming the option, when a required setting is missing", () => {
    expect(() => createHeroClient({ practiceGroupId: "pg" })).toThrow(HeroConfigError)
    expect(() => createHeroClient({ practiceGroupId: "pg" })).toThrow(/apiKey/)
    expect(() => createHeroClient()).toThrow(HeroConfigError)
  })

  it("never reads process.env", () => {
    vi.stubEnv("HERO_API_KEY", "from-process")
    vi.stubEnv("HERO_PRACTICE_GROUP_ID", "from-process")
    try {
      expect(() => createHeroClient({})).toThrow(/apiKey/)
    } finally {
      vi.unstubAllEnvs()
    }
  })

  it("takes HERO_* bindings from the env record it is given, options first", async () => {
    const { calls, fetch } = fakeFetch(() => Response.json({ patient_id: 42 }))
    const env = {
      HERO_API_KEY: "key-from-env",
      HERO_PRACTICE_GROUP_ID: "group-from-env",
      HERO_ENV: "production",
      HERO_MAX_RETRIES: 0,
      HERO_RETRY_JITTER: false,
      SESSIONS: { get: () => undefined }
    }
    const hero = createHeroClient({ practiceGroupId: "group-from-options", fetch }, env)
    expect(await hero.registerPds(patients.jane)).toMatchObject({ _tag: "Registered", patientId: "42" })
    expect(calls).toHaveLength(1)
    expect(calls[0]?.url).toBe("https://api.herohealth.net/v1/patients/register_pds")
    expect(calls[0]?.headers.get("x-api-key")).toBe("key-from-env")
    expect(calls[0]?.headers.get("x-practice-group-id")).toBe("group-from-options")
    expect(calls[0]?.body).toEqual({ nhs_number: "9000000009", dob: "2010-10-22" })
    await hero.close()
  })

  it("reads numeric bindings (wrangler [vars] may be numbers)", async () => {
    const { calls, fetch } = fakeFetch(() => new Response("{}", { status: 503 }))
    const hero = createHeroClient({ fetch }, {
      ...Sandbox.heroConfigDefaults.sandbox,
      HERO_ENV: "sandbox",
      HERO_MAX_RETRIES: 0
    })
    expect(await rejection(hero.registerPds(patients.jane))).toBeInstanceOf(ServerError)
    expect(calls).toHaveLength(1)
    await hero.close()
  })

  it("ignores bindings that are not text (a KV namespace bound as HERO_API_KEY is not a key)", () => {
    expect(() => createHeroClient({}, { HERO_API_KEY: { get: () => "x" }, HERO_PRACTICE_GROUP_ID: "pg" })).toThrow(
      /HERO_API_KEY/
    )
  })

  it("in the sandbox environment, needs the sandbox's URL and credentials from the caller (the edge embeds none)", () => {
    expect(() => createHeroClient({ environment: "sandbox" })).toThrow(
      "Invalid configuration: apiKey is required: set it to your Hero API key; " +
        "practiceGroupId is required: set it to the practice group id Hero gave you"
    )
    expect(() => createHeroClient({ environment: "sandbox", apiKey: "k", practiceGroupId: "pg" })).toThrow(
      /baseUrl is required: set it to where the sandbox is served/
    )
  })

  it("refuses a base URL that would send the key in clear text", () => {
    expect(() => createHeroClient({ ...local, baseUrl: "http://hero.example.com" })).toThrow(
      /baseUrl must use https:/
    )
    expect(() => createHeroClient({ ...local, baseUrl: "http://localhost:4010" })).not.toThrow()
  })
})

describe("EdgeHeroClient.layer", () => {
  it.effect("fails with a ConfigError naming the setting when the configuration cannot work", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Effect.provide(HeroClient.registerPds(patients.jane), EdgeHeroClient.layer({}, { HERO_ENV: "production" }))
      )
      expect(error._tag).toBe("ConfigError")
      expect(String(error)).toContain("HERO_API_KEY")
    }))

  it.effect("uses the given fetch", () =>
    Effect.gen(function*() {
      const { calls, fetch } = fakeFetch(() => Response.json({ message: "verify", login_url: "https://login.test/x" }))
      const result = yield* Effect.provide(
        HeroClient.registerPds(patients.olivia),
        EdgeHeroClient.layer({ ...local, fetch })
      )
      expect(result).toMatchObject({
        _tag: "VerificationRequired",
        message: "verify",
        loginUrl: "https://login.test/x"
      })
      expect(calls).toHaveLength(1)
    }))
})
