/**
 * `pnpm bench`: what `@hero-pds/edge` costs a Worker.
 *
 * 1. Size: bench/worker.ts (imports the BUILT `@hero-pds/edge`, calls `registerPds`) bundled the way wrangler does;
 *    raw and gzip bytes, what weighs most, and no Node built-in (fails otherwise, or over the gzip budget). Then the
 *    same Worker through wrangler itself (`wrangler deploy --dry-run --minify`, offline), as Cloudflare would count it.
 * 2. Cold start in workerd (Miniflare, no `nodejs_compat`): a new Miniflare per run, the time until it is ready
 *    (workerd evaluates a Worker's modules at start-up) against the same for an empty Worker, then the first request
 *    (the client's runtime is built on it) and a second one, against the sandbox on 127.0.0.1. Median of the runs.
 * 3. Client creation in V8 (Node, a stub fetch, no network): a client made per request and closed, against one
 *    client reused, per call.
 *
 * Prints a Markdown table and writes bench-results.json beside package.json.
 */
/* global console, performance, Response, URL */
import * as NodeSandboxServer from "@hero-pds/sandbox/NodeSandboxServer"
import { Miniflare } from "miniflare"
import { execFileSync } from "node:child_process"
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import process from "node:process"
import { fileURLToPath } from "node:url"
import { bundleWorker } from "./bundle.mjs"

const here = (path) => fileURLToPath(new URL(path, import.meta.url))
const budgetGzipBytes = 62 * 1024
const runs = Number(process.env.BENCH_RUNS ?? 7)
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`
const ms = (millis) => `${millis.toFixed(millis < 10 ? 2 : 0)} ms`
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

if (!existsSync(here("../dist/index.js"))) {
  console.error("dist/ is missing: run `pnpm run build` in packages/edge first (turbo's `bench` does).")
  process.exit(1)
}

// 1. Size
const bundle = await bundleWorker(here("worker.ts"))
const failures = []
if (bundle.builtins.length > 0) failures.push(`the Worker imports Node built-ins: ${bundle.builtins.join(", ")}`)
if (bundle.gzipBytes >= budgetGzipBytes) {
  failures.push(`the Worker is ${kib(bundle.gzipBytes)} gzip, over ${kib(budgetGzipBytes)}`)
}

/** `wrangler deploy --dry-run --minify` of the same Worker: wrangler's own "Total Upload: x KiB / gzip: y KiB". */
const wranglerSize = () => {
  const dir = mkdtempSync(join(tmpdir(), "hero-pds-wrangler-"))
  try {
    writeFileSync(
      join(dir, "wrangler.toml"),
      `name = "hero-pds-bench"\nmain = ${JSON.stringify(here("worker.ts"))}\ncompatibility_date = "2026-04-01"\n`
    )
    const output = execFileSync(
      process.execPath,
      [
        here("../node_modules/wrangler/bin/wrangler.js"),
        "deploy",
        "--dry-run",
        "--minify",
        "--outdir",
        join(dir, "out")
      ],
      { cwd: dir, encoding: "utf8", env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" } }
    )
    const match = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(output)
    if (match === null) throw new Error(`no size in wrangler's output: ${output}`)
    return { bytes: Math.round(Number(match[1]) * 1024), gzipBytes: Math.round(Number(match[2]) * 1024) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
const wrangler = wranglerSize()

// 2. Cold start in workerd
const sandbox = await NodeSandboxServer.start({ rateLimit: false })
const jane = JSON.stringify({ nhsNumber: "9000000009", dob: "2010-10-22" })
const emptyWorker = "export default { fetch: () => new Response(\"ok\") }"

const startWorker = async (script) => {
  const started = performance.now()
  const mf = new Miniflare({
    // An explicit module list: with `script`, Miniflare parses the bundle in Node first, which is not workerd's cost.
    modules: [{ type: "ESModule", path: "worker.mjs", contents: script }],
    compatibilityDate: "2026-04-01",
    bindings: {
      HERO_API_KEY: "sandbox-api-key",
      HERO_PRACTICE_GROUP_ID: "sandbox-practice-group",
      HERO_BASE_URL: sandbox.url
    },
    outboundService: { network: { allow: ["local"], deny: [] } }
  })
  await mf.ready
  return { mf, readyMs: performance.now() - started }
}

const request = async (mf) => {
  const started = performance.now()
  const response = await mf.dispatchFetch("http://worker.test/", { method: "POST", body: jane })
  const body = await response.json()
  if (body.patientId !== "98765") throw new Error(`Unexpected answer from the Worker: ${JSON.stringify(body)}`)
  return performance.now() - started
}

const cold = { emptyReadyMs: [], readyMs: [], firstRequestMs: [], secondRequestMs: [] }
try {
  for (let run = 0; run < runs; run++) {
    const empty = await startWorker(emptyWorker)
    await empty.mf.dispose()
    const { mf, readyMs } = await startWorker(bundle.code)
    try {
      const first = await request(mf)
      const second = await request(mf)
      cold.emptyReadyMs.push(empty.readyMs)
      cold.readyMs.push(readyMs)
      cold.firstRequestMs.push(first)
      cold.secondRequestMs.push(second)
    } finally {
      await mf.dispose()
    }
  }
} finally {
  await sandbox.close()
}

// 3. Client creation, per call
const { createHeroClient } = await import("../dist/index.js")
const stubFetch = async () => Response.json({ patient_id: "98765" })
const options = {
  environment: "sandbox",
  baseUrl: "http://127.0.0.1:4010",
  apiKey: "sandbox-api-key",
  practiceGroupId: "sandbox-practice-group",
  fetch: stubFetch
}
const input = { nhsNumber: "9000000009", dob: "2010-10-22" }
const perCall = async (n, call) => {
  const started = performance.now()
  for (let i = 0; i < n; i++) await call()
  return ((performance.now() - started) / n) * 1000
}
const shared = createHeroClient(options)
const perRequest = async () => {
  const hero = createHeroClient(options)
  await hero.registerPds(input)
  await hero.close()
}
// Warm the JIT, then alternate rounds and keep the median of each.
await perCall(1000, () => shared.registerPds(input))
await perCall(1000, perRequest)
const rounds = { shared: [], perRequest: [], createOnly: [] }
for (let round = 0; round < 5; round++) {
  rounds.shared.push(await perCall(1000, () => shared.registerPds(input)))
  rounds.perRequest.push(await perCall(1000, perRequest))
  rounds.createOnly.push(await perCall(10000, async () => createHeroClient(options)))
}
await shared.close()
const sharedUs = median(rounds.shared)
const perRequestUs = median(rounds.perRequest)
const createOnlyUs = median(rounds.createOnly)

const results = {
  date: new Date().toISOString(),
  node: process.version,
  bundle: {
    bytes: bundle.bytes,
    gzipBytes: bundle.gzipBytes,
    budgetGzipBytes,
    nodeBuiltins: bundle.builtins,
    wrangler,
    largest: Object.fromEntries(bundle.byPackage.slice(0, 6))
  },
  workerd: {
    runs,
    emptyWorkerReadyMs: median(cold.emptyReadyMs),
    readyMs: median(cold.readyMs),
    evaluationMs: median(cold.readyMs.map((ready, i) => ready - cold.emptyReadyMs[i])),
    firstRequestMs: median(cold.firstRequestMs),
    secondRequestMs: median(cold.secondRequestMs)
  },
  clientCreation: {
    createOnlyMicros: createOnlyUs,
    sharedClientCallMicros: sharedUs,
    perRequestClientCallMicros: perRequestUs,
    perRequestOverheadMicros: perRequestUs - sharedUs
  }
}
writeFileSync(here("../bench-results.json"), `${JSON.stringify(results, null, 2)}\n`)

const rows = [
  ["Worker bundle (minified)", kib(bundle.bytes)],
  ["Worker bundle (gzip)", `${kib(bundle.gzipBytes)} (budget ${kib(budgetGzipBytes)})`],
  ["wrangler deploy --dry-run --minify", `${kib(wrangler.bytes)}, gzip ${kib(wrangler.gzipBytes)}`],
  ["Node built-ins in the bundle", bundle.builtins.length === 0 ? "none" : bundle.builtins.join(", ")],
  ["Largest parts (minified)", bundle.byPackage.slice(0, 3).map(([name, bytes]) => `${name} ${kib(bytes)}`).join(", ")],
  [`workerd ready, empty Worker (median of ${runs})`, ms(results.workerd.emptyWorkerReadyMs)],
  [`workerd ready, this Worker (median of ${runs})`, ms(results.workerd.readyMs)],
  ["Bundle compile + evaluation in workerd (difference)", ms(results.workerd.evaluationMs)],
  ["First request, cold (runtime built + sandbox round trip)", ms(results.workerd.firstRequestMs)],
  ["Second request, warm", ms(results.workerd.secondRequestMs)],
  ["createHeroClient() alone", `${createOnlyUs.toFixed(1)} µs`],
  ["Call on a shared client (stub fetch)", `${sharedUs.toFixed(1)} µs`],
  ["Create + call + close per request (stub fetch)", `${perRequestUs.toFixed(1)} µs`]
]
console.log("| @hero-pds/edge | |\n| --- | --- |")
for (const [name, value] of rows) console.log(`| ${name} | ${value} |`)
console.log("\nWritten to packages/edge/bench-results.json")

if (failures.length > 0) {
  for (const failure of failures) console.error(`FAIL: ${failure}`)
  process.exit(1)
}
