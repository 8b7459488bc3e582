/**
 * The edge suite inside real workerd (Miniflare, pinned for Node 20), with NO `nodejs_compat` flag: a Worker bundled
 * like wrangler bundles it, from the BUILT `@hero-pds/edge`, configured from `env` bindings, fetching the sandbox
 * over HTTP on 127.0.0.1. Its outbound network is limited to loopback addresses.
 */
import { Miniflare } from "miniflare"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { hostileSuite } from "../../core/test/hostile.js"
import type { Outcome as HostileOutcome } from "../../core/test/utils/hostileRunner.js"
import * as HostileServer from "../../core/test/utils/hostileServer.js"
import { bundleWorker } from "../bench/bundle.mjs"
import { edgeSuite } from "./utils/edgeSuite.js"
import * as Harness from "./utils/harness.js"
import type { Outcome } from "./utils/scenario.js"

const workerEntry = fileURLToPath(new URL("workers/worker.ts", import.meta.url))

let harness: Harness.Harness | undefined
let hostile: HostileServer.HostileServer | undefined
let mf: Miniflare | undefined

const worker = () => {
  if (mf === undefined) throw new Error("Miniflare is not running")
  return mf
}

beforeAll(async () => {
  harness = await Harness.start()
  hostile = await HostileServer.start()
  const bundle = await bundleWorker(workerEntry)
  mf = new Miniflare({
    modules: [{ type: "ESModule", path: "worker.mjs", contents: bundle.code }],
    compatibilityDate: "2026-04-01",
    compatibilityFlags: [],
    bindings: {
      HERO_API_KEY: "sandbox-api-key",
      HERO_PRACTICE_GROUP_ID: "sandbox-practice-group",
      HERO_BASE_URL: harness.url
    },
    // Only loopback addresses are reachable from the Worker.
    outboundService: { network: { allow: ["local"], deny: [] } }
  })
  await mf.ready
}, 60_000)

afterAll(async () => {
  await mf?.dispose()
  await harness?.close()
  await hostile?.close()
})

describe("workerd runtime", () => {
  it("runs without nodejs_compat: no process global", async () => {
    const response = await worker().dispatchFetch("http://worker.test/runtime")
    expect(await response.json()).toEqual({ process: "undefined" })
  })
})

edgeSuite("workerd", {
  harnessUrl: () => harness?.url ?? "",
  register: async (input, options = {}) => {
    const response = await worker().dispatchFetch("http://worker.test/register", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ input, ...options })
    })
    expect(response.status).toBe(200)
    return await response.json() as Outcome
  }
})

hostileSuite("workerd", async (call) => {
  const response = await worker().dispatchFetch("http://worker.test/hostile", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(call)
  })
  expect(response.status).toBe(200)
  return await response.json() as HostileOutcome
}, () => hostile!)
