import { describe, expect, it } from "@effect/vitest"
import * as HeroConfig from "@hero-pds/core/HeroConfig"
import * as HeroError from "@hero-pds/core/HeroError"
import * as Outcome from "@hero-pds/core/Outcome"
import * as RegisterPds from "@hero-pds/core/RegisterPds"

const http = { status: 500, attempts: 1 }

/** One instance of every tag, so each table row is exercised through the public predicates. */
const oneOfEach: { readonly [T in HeroError.Tag]: Extract<HeroError.HeroError, { _tag: T }> } = {
  InvalidInput: new HeroError.InvalidInput({ issues: [] }),
  BadRequest: new HeroError.BadRequest({ ...http, status: 400, issues: [] }),
  Unauthorized: new HeroError.Unauthorized({ ...http, status: 401 }),
  Forbidden: new HeroError.Forbidden({ ...http, status: 403 }),
  PatientNotFound: new HeroError.PatientNotFound({ ...http, status: 404 }),
  RateLimited: new HeroError.RateLimited({ ...http, status: 429 }),
  ServerError: new HeroError.ServerError({ ...http, status: 503 }),
  TransportError: new HeroError.TransportError({ reason: "Network", attempts: 1 }),
  UnexpectedResponse: new HeroError.UnexpectedResponse({ ...http, status: 302, reason: "a redirect" })
}

const table = (decide: (error: HeroError.HeroError) => unknown) =>
  Object.fromEntries(HeroError.tags.map((tag) => [tag, decide(oneOfEach[tag])]))

const tagsWhere = (holds: (error: HeroError.HeroError) => boolean) =>
  HeroError.tags.filter((tag) => holds(oneOfEach[tag]))

describe("Outcome", () => {
  // Each table is pinned whole: the tags for which it holds, in tag order. Changing any tag's decision fails here.
  it("pins which failures are temporary, credential failures and definitive", () => {
    expect(tagsWhere(Outcome.isTemporary)).toEqual(["RateLimited", "ServerError", "TransportError"])
    expect(tagsWhere(Outcome.isCredentialFailure)).toEqual(["Unauthorized", "Forbidden"])
    expect(tagsWhere(Outcome.isDefinitive)).toEqual(["InvalidInput", "BadRequest", "PatientNotFound"])
  })

  it("pins which failures are retried: 408/429/500/502/503/504 and the network, nothing else", () => {
    expect(tagsWhere(Outcome.isRetryable)).toEqual(["RateLimited", "ServerError", "TransportError"])
    const server = (status: number) => Outcome.isRetryable(new HeroError.ServerError({ ...http, status }))
    expect([500, 501, 502, 503, 504, 505, 599].map(server)).toEqual([true, false, true, true, true, false, false])
    expect([...Outcome.retryableStatuses]).toEqual([408, 429, 500, 502, 503, 504])
  })

  it("pins the CLI's exit code of every outcome (DESIGN's CLI contract)", () => {
    expect(table((error) => Outcome.exitCode(Outcome.fromError(error)))).toEqual({
      InvalidInput: 2,
      BadRequest: 2,
      Unauthorized: 5,
      Forbidden: 5,
      PatientNotFound: 4,
      RateLimited: 6,
      ServerError: 7,
      TransportError: 7,
      UnexpectedResponse: 8
    })
    const config = new HeroConfig.HeroConfigError({ message: "Invalid Hero configuration: HERO_ENV must be ..." })
    expect(Outcome.exitCode(Outcome.fromError(config))).toBe(2)
    expect(Outcome.exitCode(Outcome.fromResult(new RegisterPds.Registered({ patientId: "98765" })))).toBe(0)
    const verify = new RegisterPds.VerificationRequired({ message: "m", loginUrl: "https://hero.example/v" })
    expect(Outcome.exitCode(Outcome.fromResult(verify))).toBe(3)
  })

  it("builds the --json outcome: status only for HTTP errors", () => {
    expect(Outcome.fromError(oneOfEach.PatientNotFound)).toEqual({
      outcome: "error",
      error: "PatientNotFound",
      status: 404,
      message: oneOfEach.PatientNotFound.message
    })
    expect(Outcome.fromError(oneOfEach.TransportError)).not.toHaveProperty("status")
    expect(Outcome.fromResult(new RegisterPds.Registered({ patientId: "98765" }))).toEqual({
      outcome: "registered",
      patientId: "98765"
    })
  })

  it("knows every tag, and nothing else is a HeroError", () => {
    expect(HeroError.tags).toEqual(Object.keys(oneOfEach))
    expect(HeroError.isHeroError(Object.assign(new Error("x"), { _tag: "toString" }))).toBe(false)
    expect(HeroError.isHeroError(oneOfEach.Forbidden)).toBe(true)
  })
})
