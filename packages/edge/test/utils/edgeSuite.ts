/**
 * The edge suite: what a user of `createHeroClient` sees inside an edge runtime, against the sandbox served over
 * HTTP on 127.0.0.1. Written once, run inside real workerd (Miniflare) and under vitest's `edge-runtime`
 * environment. It uses only `fetch`, so it runs unchanged in both.
 */
import { describe, expect, it } from "vitest"
import { patients } from "../../../core/test/contract.js"
import type { Outcome, ScenarioRequest } from "./scenario.js"
import { requestCount, resetScenario } from "./scenario.js"

/** How a runtime registers: with a client made from its configuration, per call or shared (once per isolate). */
export interface Runner {
  /** The harness (sandbox) base URL the runtime's client is configured with. */
  readonly harnessUrl: () => string
  readonly register: (
    input: unknown,
    options?: { readonly shared?: boolean; readonly options?: Readonly<Record<string, unknown>> }
  ) => Promise<Outcome>
}

const expectOk = (outcome: Outcome) => {
  if (outcome.outcome !== "ok") throw new Error(`Expected a result, got ${JSON.stringify(outcome)}`)
  expect(outcome.isInstance).toBe(true)
  return outcome.result
}

const expectError = (outcome: Outcome) => {
  if (outcome.outcome !== "error") throw new Error(`Expected an error, got ${JSON.stringify(outcome)}`)
  expect(outcome.isError).toBe(true)
  return outcome.error
}

/** Runs the suite. Each test starts from a fresh sandbox (its own fault script and request counter). */
export const edgeSuite = (name: string, runner: Runner) =>
  describe(`${name}: createHeroClient against the sandbox over HTTP`, () => {
    const fresh = (scenario?: ScenarioRequest) => resetScenario(runner.harnessUrl(), scenario)
    const requests = () => requestCount(runner.harnessUrl())

    it("registers Jane Smith as 98765 with one request", async () => {
      await fresh()
      const result = expectOk(await runner.register(patients.jane))
      expect(result).toMatchObject({ _tag: "Registered", patientId: "98765" })
      expect(await requests()).toBe(1)
    })

    it("returns VerificationRequired with an https login URL", async () => {
      await fresh()
      const result = expectOk(await runner.register(patients.olivia))
      expect(result._tag).toBe("VerificationRequired")
      expect(typeof result.message).toBe("string")
      expect(new URL(String(result.loginUrl)).protocol).toBe("https:")
    })

    it("rejects with PatientNotFound (404) for an unknown patient, without retrying", async () => {
      await fresh()
      const error = expectError(await runner.register(patients.unknown))
      expect(error).toMatchObject({ _tag: "PatientNotFound", status: 404, attempts: 1 })
      expect(error.message).not.toContain("9990000018")
      expect(await requests()).toBe(1)
    })

    it("waits for Retry-After: 1 after a 429, then registers", async () => {
      await fresh({ faults: [{ _tag: "Status", status: 429, retryAfter: "1" }] })
      const started = Date.now()
      const result = expectOk(await runner.register(patients.jane))
      const elapsed = Date.now() - started
      expect(result).toMatchObject({ _tag: "Registered", patientId: "98765" })
      expect(elapsed).toBeGreaterThanOrEqual(950)
      expect(elapsed).toBeLessThan(5_000)
      expect(await requests()).toBe(2)
    })

    it("rejects invalid input with InvalidInput and sends nothing", async () => {
      await fresh()
      const error = expectError(await runner.register({ nhsNumber: "123 456 7891", dob: "1992-01-01" }))
      expect(error).toMatchObject({ _tag: "InvalidInput", issues: [{ path: "nhsNumber" }] })
      expect(await requests()).toBe(0)
    })

    it("throws HeroConfigError for a base URL that would send the key in clear text", async () => {
      await fresh()
      const error = expectError(await runner.register(patients.jane, { options: { baseUrl: "http://example.com" } }))
      expect(error._tag).toBe("HeroConfigError")
      expect(error.message).toContain("baseUrl")
      expect(await requests()).toBe(0)
    })

    it("serves concurrent requests through one client shared across requests", async () => {
      // The first answers are slow, so the calls overlap: several fetches are in flight on one client at once.
      await fresh({ rateLimit: false, faults: Array.from({ length: 4 }, () => ({ _tag: "Delay", millis: 150 })) })
      const outcomes = await Promise.all(
        Array.from(
          { length: 8 },
          (_, i) => runner.register(i % 2 === 0 ? patients.jane : patients.amir, { shared: true })
        )
      )
      expect(outcomes.map((outcome) => expectOk(outcome).patientId)).toEqual(
        Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? "98765" : "104729"))
      )
      expect(await requests()).toBe(8)
    })
  })
