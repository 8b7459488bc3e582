/**
 * The edge suite under vitest's `edge-runtime` environment (`@edge-runtime/vm`, the runtime behind Vercel Edge):
 * `fetch`, `Request`, `Response`, `AbortController` and timers are the edge VM's. The sandbox harness runs in Node
 * (global setup) and is reached at `inject("harnessUrl")`.
 */
import { afterAll, describe, expect, inject, it } from "vitest"
import { patients } from "../../core/test/contract.js"
import { hostileSuite } from "../../core/test/hostile.js"
import { promiseRunner } from "../../core/test/utils/hostileRunner.js"
import type { PromiseClient } from "../src/index.js"
import { createHeroClient, isHeroError, PatientNotFound, Registered, VerificationRequired } from "../src/index.js"
import { edgeSuite } from "./utils/edgeSuite.js"
import { resetScenario, toOutcome } from "./utils/scenario.js"

const harnessUrl = inject("harnessUrl")

/** The bindings a Vercel Edge function would read from its environment, passed in by the caller. */
const env = {
  HERO_API_KEY: "sandbox-api-key",
  HERO_PRACTICE_GROUP_ID: "sandbox-practice-group",
  HERO_BASE_URL: harnessUrl
}

let shared: PromiseClient | undefined
const isResult = (u: unknown) => u instanceof Registered || u instanceof VerificationRequired

afterAll(() => shared?.close())

describe("edge-runtime environment", () => {
  it("is the edge VM", () => {
    expect((globalThis as { EdgeRuntime?: unknown }).EdgeRuntime).toBe("edge-runtime")
  })

  it("rejects with the error class itself, usable with instanceof", async () => {
    await resetScenario(harnessUrl)
    const hero = createHeroClient({}, env)
    const error = await hero.registerPds(patients.unknown).then(() => undefined, (error: unknown) => error)
    expect(error).toBeInstanceOf(PatientNotFound)
    expect(isHeroError(error)).toBe(true)
    await hero.close()
  })
})

edgeSuite("edge-runtime", {
  harnessUrl: () => harnessUrl,
  register: async (input, { options, shared: reuse } = {}) => {
    let hero: PromiseClient | undefined
    const outcome = await toOutcome(() => {
      hero = reuse === true ? (shared ??= createHeroClient({}, env)) : createHeroClient({ ...options }, env)
      return hero.registerPds(input as never)
    }, isResult)
    if (reuse !== true) await hero?.close()
    return outcome
  }
})

const hostile = inject("hostile")
hostileSuite("edge-runtime", promiseRunner(createHeroClient), () => hostile)
