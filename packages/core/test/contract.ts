/**
 * The contract every adapter honours, written once and run against the sandbox by each of them: in memory
 * (`@hero-pds/sandbox`), over real HTTP (`@hero-pds/node`) and inside workerd (`@hero-pds/edge`).
 *
 * It imports core by package name (not `../src`) so adapters can include this file in their own test projects.
 */
import { describe, expect, it } from "@effect/vitest"
import * as HeroClient from "@hero-pds/core/HeroClient"
import type * as HeroConfig from "@hero-pds/core/HeroConfig"
import type * as HeroError from "@hero-pds/core/HeroError"
import type * as RegisterPds from "@hero-pds/core/RegisterPds"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"

/** A sandbox fault, in the shape `@hero-pds/sandbox` takes in `faults.script`. */
export type Fault =
  | { readonly _tag: "Status"; readonly status: number; readonly retryAfter?: string; readonly retryAfterMs?: string }
  | { readonly _tag: "Delay"; readonly millis: number }
  | { readonly _tag: "Drop" }
  | { readonly _tag: "Malformed"; readonly body: string; readonly contentType?: string; readonly status?: number }

/** One test's world: the faults the sandbox answers with first, in order, and client settings. */
export interface Scenario {
  readonly faults?: ReadonlyArray<Fault>
  /** Overrides of the adapter's client settings (which otherwise point at the sandbox with its credentials). */
  readonly config?: HeroConfig.Options
}

/** How an adapter runs the contract: a client against a fresh sandbox set up for the scenario. */
export type MakeClient = (scenario: Scenario) => Layer.Layer<HeroClient.HeroClient, unknown>

/** The sandbox's documented patients the contract relies on, as inputs. */
export const patients = {
  jane: { nhsNumber: "9000000009", dob: "2010-10-22" },
  amir: { nhsNumber: "943 476 5919", dob: "1992-01-01" },
  noah: { nhsNumber: "900-000-0033", dob: "1978-12-01" },
  olivia: { nhsNumber: "9000000017", dob: "1985-03-14" },
  janeLondon: { forename: "jane", surname: "SMITH", dob: "1985-07-09", postcode: "sw1a1aa" },
  unknown: { nhsNumber: "9990000018", dob: "2000-01-01" }
} as const

const fast = { retryInitialDelayMs: 10, retryMaxDelayMs: 20 }

/** Runs the contract suite. Timing here is real (the adapters' clocks), so hints are kept to milliseconds. */
export const contract = (name: string, makeClient: MakeClient) =>
  describe(`${name} contract`, () => {
    const call = (input: RegisterPds.Input, scenario: Scenario = {}) =>
      Effect.provide(HeroClient.registerPds(input), makeClient(scenario))

    const fails = (input: RegisterPds.Input, scenario: Scenario = {}) =>
      Effect.flip(call(input, scenario)) as Effect.Effect<HeroError.HeroError, unknown>

    /** A `Registered` result, carrying the call's correlation id. */
    const registered = (patientId: string) => ({ _tag: "Registered", patientId, correlationId: expect.any(String) })

    it.live("registers Jane Smith, the same patient_id every time", () =>
      Effect.gen(function*() {
        const client = makeClient({})
        const twice = Effect.provide(
          Effect.all([HeroClient.registerPds(patients.jane), HeroClient.registerPds(patients.jane)]),
          client
        )
        expect(yield* twice).toEqual([registered("98765"), registered("98765")])
      }))

    it.live("accepts NHS numbers with spaces or hyphens and numeric patient ids", () =>
      Effect.gen(function*() {
        expect(yield* call(patients.amir)).toEqual(registered("104729"))
        expect(yield* call(patients.noah)).toEqual(registered("424242"))
      }))

    it.live("returns VerificationRequired with an https login URL", () =>
      Effect.gen(function*() {
        const result = yield* call(patients.olivia)
        expect(result._tag).toBe("VerificationRequired")
        expect(result._tag === "VerificationRequired" && new URL(result.loginUrl).protocol).toBe("https:")
      }))

    it.live("traces by demographics", () =>
      Effect.gen(function*() {
        expect(yield* call(patients.janeLondon)).toEqual(registered("131071"))
        expect(yield* fails({ ...patients.janeLondon, postcode: "LS1 6AE" })).toMatchObject({
          _tag: "PatientNotFound",
          status: 404
        })
      }))

    it.live("fails as PatientNotFound for an unknown number or a wrong date of birth", () =>
      Effect.gen(function*() {
        expect(yield* fails(patients.unknown)).toMatchObject({ _tag: "PatientNotFound", status: 404, attempts: 1 })
        expect(yield* fails({ ...patients.jane, dob: "2010-10-23" })).toMatchObject({ _tag: "PatientNotFound" })
      }))

    it.live("fails as Unauthorized for an unknown key and Forbidden for another practice group", () =>
      Effect.gen(function*() {
        expect(yield* fails(patients.jane, { config: { apiKey: "not-a-key" } })).toMatchObject({
          _tag: "Unauthorized",
          status: 401
        })
        expect(yield* fails(patients.jane, { config: { practiceGroupId: "someone-else" } })).toMatchObject({
          _tag: "Forbidden",
          status: 403
        })
      }))

    it.live("rejects invalid input as InvalidInput without a request", () =>
      Effect.gen(function*() {
        const error = yield* fails({ nhsNumber: "123 456 7891", dob: "1992-01-01" }, {
          faults: [{ _tag: "Status", status: 500 }],
          config: { maxRetries: 0 }
        })
        expect(error).toMatchObject({ _tag: "InvalidInput", issues: [{ path: "nhsNumber" }] })
      }))

    it.live("carries Hero's 400 issues as BadRequest", () =>
      Effect.gen(function*() {
        const body = JSON.stringify({
          error: true,
          statusCode: 400,
          message: [{ code: "invalid_type", expected: "string", path: ["dob"] }]
        })
        expect(yield* fails(patients.jane, { faults: [{ _tag: "Malformed", status: 400, body }] })).toMatchObject({
          _tag: "BadRequest",
          status: 400,
          issues: [{ code: "invalid_type", expected: "string", path: ["dob"] }]
        })
      }))

    it.live("retries a 429 after its hint, then registers", () =>
      Effect.gen(function*() {
        const faults: ReadonlyArray<Fault> = [{ _tag: "Status", status: 429, retryAfterMs: "30" }]
        expect(yield* call(patients.jane, { faults })).toEqual(registered("98765"))
      }))

    it.live("retries 503 twice, then registers", () =>
      Effect.gen(function*() {
        const faults: ReadonlyArray<Fault> = [{ _tag: "Status", status: 503 }, { _tag: "Status", status: 503 }]
        expect(yield* call(patients.jane, { faults, config: fast })).toEqual(registered("98765"))
      }))

    it.live("retries a dropped connection, then registers", () =>
      Effect.gen(function*() {
        expect(yield* call(patients.jane, { faults: [{ _tag: "Drop" }], config: fast })).toEqual(registered("98765"))
      }))

    it.live("gives up after maxRetries with the last error and the attempt count", () =>
      Effect.gen(function*() {
        const faults: ReadonlyArray<Fault> = Array.from({ length: 4 }, () => ({ _tag: "Status", status: 502 }))
        expect(yield* fails(patients.jane, { faults, config: { ...fast, maxRetries: 2 } })).toMatchObject({
          _tag: "ServerError",
          status: 502,
          attempts: 3
        })
      }))

    it.live("fails at once as RateLimited when the hint is beyond the cap", () =>
      Effect.gen(function*() {
        const faults: ReadonlyArray<Fault> = [{ _tag: "Status", status: 429, retryAfter: "120" }]
        expect(yield* fails(patients.jane, { faults })).toMatchObject({
          _tag: "RateLimited",
          retryAfter: 120_000,
          attempts: 1
        })
      }))

    it.live("times out a slow attempt as TransportError", () =>
      Effect.gen(function*() {
        const scenario: Scenario = {
          faults: [{ _tag: "Delay", millis: 2_000 }],
          config: { timeoutMs: 100, maxRetries: 0 }
        }
        expect(yield* fails(patients.jane, scenario)).toMatchObject({ _tag: "TransportError", reason: "Timeout" })
      }))

    it.live("turns truncated JSON and an HTML page into UnexpectedResponse", () =>
      Effect.gen(function*() {
        expect(yield* fails(patients.jane, { faults: [{ _tag: "Malformed", body: "{\"patient_id\": \"98" }] }))
          .toMatchObject({ _tag: "UnexpectedResponse", status: 200 })
        const html: Fault = {
          _tag: "Malformed",
          body: "<html><body>Bad gateway</body></html>",
          contentType: "text/html"
        }
        expect(yield* fails(patients.jane, { faults: [html] })).toMatchObject({ _tag: "UnexpectedResponse" })
      }))
  })
