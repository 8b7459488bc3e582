// One bulk run of `rows` rows (argv[2]) against the in-memory sandbox with its rate limit off, in its own process,
// so the process's RSS high-water mark is this run's. Prints one JSON line.
import * as HeroClient from "@hero-pds/core/HeroClient"
import * as HeroConfig from "@hero-pds/core/HeroConfig"
import * as Sandbox from "@hero-pds/sandbox/Sandbox"
import * as SandboxHttpClient from "@hero-pds/sandbox/SandboxHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Bulk from "../dist/Bulk.js"
import { csvFor, syntheticPatients } from "./patients.mjs"

const rows = Number(process.argv[2] ?? 100_000)
const dir = mkdtempSync(join(tmpdir(), "hero-bulk-bench-"))
const input = join(dir, "in.csv")
const output = join(dir, "out.csv")
const patients = syntheticPatients(500)
writeFileSync(input, csvFor(patients, rows))
const layer = HeroClient.layer.pipe(
  Layer.provide(SandboxHttpClient.layer({ rateLimit: false, patients })),
  Layer.provideMerge(
    Layer.effect(
      HeroConfig.HeroConfig,
      HeroConfig.make({ environment: "sandbox" }, undefined, Sandbox.heroConfigDefaults)
    )
  )
)
let peakHeap = 0
const start = performance.now()
const summary = await Effect.runPromise(
  Effect.provide(
    Bulk.run({
      input,
      output,
      concurrency: 8,
      onProgress: (progress) => {
        if (progress.done % 5000 === 0) {
          globalThis.gc?.()
          peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)
        }
      }
    }),
    layer
  )
)
const ms = performance.now() - start
rmSync(dir, { recursive: true, force: true })
console.log(JSON.stringify({
  rows,
  done: summary.done,
  registered: summary.counts.registered,
  ms: Math.round(ms),
  maxRssMiB: +(process.resourceUsage().maxRSS / 1024).toFixed(1),
  liveHeapAfterGcMiB: +(peakHeap / 1024 / 1024).toFixed(1)
}))
