/**
 * Runtime-agnostic helpers shared by the Node, workerd and edge-runtime suites: they talk to the harness
 * (`harness.ts`) over `fetch` only, and turn a call's outcome into plain JSON that can cross a Worker boundary.
 */
import type { Fault } from "../../../core/test/contract.js"

/** The body of `POST /__harness/scenario`. */
export interface ScenarioRequest {
  readonly faults?: ReadonlyArray<Fault>
  /** `false` turns the sandbox's rate limit off (for concurrency tests). */
  readonly rateLimit?: false
}

/** A fresh sandbox behind the harness at `harnessUrl`. */
export const resetScenario = async (harnessUrl: string, scenario: ScenarioRequest = {}): Promise<void> => {
  const response = await fetch(`${harnessUrl}/__harness/scenario`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(scenario)
  })
  await response.body?.cancel()
  if (response.status !== 204) throw new Error(`The harness answered ${response.status} to a scenario reset`)
}

/** How many register_pds requests the current sandbox has seen. */
export const requestCount = async (harnessUrl: string): Promise<number> => {
  const response = await fetch(`${harnessUrl}/__harness/requests`)
  const body = await response.json() as { readonly requests: number }
  return body.requests
}

export { type Outcome, toOutcome } from "../../../core/test/utils/hostileRunner.js"
