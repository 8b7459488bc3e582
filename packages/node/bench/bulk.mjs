// pnpm bench (bulk part): `hero-pds bulk` end to end. 3,000 rows against the sandbox served over HTTP, limited to
// 50 requests/second, each through a counting proxy (requests and 429s): with --rate 50 and default flags (burst 50),
// the same with 200 ms added to every answer (a server far away), the same with a server burst of 1 (no allowance
// at all), then without --rate at concurrency 8; then the peak memory of 10,000 and 100,000 rows against the
// in-memory sandbox.
// Prints a Markdown table and writes bench-results-bulk.json.
import * as NodeSandboxServer from "@hero-pds/sandbox/NodeSandboxServer"
import { execFile, spawn } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import * as Http from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { csvFor, syntheticPatients } from "./patients.mjs"

const bin = fileURLToPath(new URL("../bin/hero-pds.js", import.meta.url))
const limit = 50
const rows = 3_000
const memoryRows = Number(process.env.BULK_MEMORY_ROWS ?? 100_000)
const dir = mkdtempSync(join(tmpdir(), "hero-bulk-bench-"))
const patients = syntheticPatients(rows)
const input = join(dir, "in.csv")
writeFileSync(input, csvFor(patients, rows))

/** A proxy counting requests and 429s in front of `upstream`, answering each `latencyMs` late. */
const countingProxy = async (upstream, latencyMs = 0) => {
  const target = new URL(upstream)
  const agent = new Http.Agent({ keepAlive: true })
  const stats = { requests: 0, tooMany: 0 }
  const server = Http.createServer((request, response) => {
    const chunks = []
    request.on("data", (chunk) => chunks.push(chunk))
    request.on("end", () => {
      const forward = Http.request(
        {
          host: target.hostname,
          port: target.port,
          path: request.url,
          method: request.method,
          headers: request.headers,
          agent
        },
        (answer) => {
          stats.requests++
          if (answer.statusCode === 429) stats.tooMany++
          const answerNow = () => {
            response.writeHead(answer.statusCode, answer.headers)
            answer.pipe(response)
          }
          if (latencyMs > 0) setTimeout(answerNow, latencyMs)
          else answerNow()
        }
      )
      forward.on("error", () => response.destroy())
      forward.end(Buffer.concat(chunks))
    })
  })
  server.keepAliveTimeout = 60_000
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    stats,
    close: () =>
      new Promise((resolve) => {
        agent.destroy()
        server.closeAllConnections()
        server.close(resolve)
      })
  }
}

const runCli = (args, env) =>
  new Promise((resolve) => {
    const start = performance.now()
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { ...process.env, ...env }, maxBuffer: 1 << 24 },
      (error, stdout) => resolve({ code: error ? error.code : 0, ms: performance.now() - start, stdout })
    )
  })

const scenario = async (name, args, { burst = limit, latencyMs = 0 } = {}) => {
  const server = await NodeSandboxServer.start({ patients, rateLimit: { requestsPerSecond: limit, burst } })
  const proxy = await countingProxy(server.url, latencyMs)
  const output = join(dir, `${name}.csv`)
  const run = await runCli(["bulk", input, "--out", output, ...args], { HERO_ENV: "sandbox", HERO_BASE_URL: proxy.url })
  await proxy.close()
  await server.close()
  const lines = readFileSync(output, "utf8").split("\r\n").filter((line) => /^\d/.test(line))
  const inOrder = lines.every((line, i) => line.startsWith(`${i + 1},`))
  const registered = lines.filter((line) => line.includes(",registered,")).length
  return {
    name,
    args: args.join(" ") + (latencyMs > 0 ? `, +${latencyMs} ms latency` : "") +
      (burst === limit ? "" : `, burst ${burst}`),
    exitCode: run.code,
    ms: Math.round(run.ms),
    rowsWritten: lines.length,
    rowsLost: rows - lines.length,
    inOrder,
    registered,
    requests: proxy.stats.requests,
    tooMany: proxy.stats.tooMany,
    rowsPerSecond: +(rows / (run.ms / 1000)).toFixed(2),
    percentOfLimit: +((rows / (run.ms / 1000) / limit) * 100).toFixed(1),
    percent429: +((proxy.stats.tooMany / Math.max(1, proxy.stats.requests)) * 100).toFixed(2)
  }
}

const memory = (n) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL("./bulk-memory.mjs", import.meta.url)), String(n)])
    let out = ""
    child.stdout.on("data", (chunk) => (out += chunk))
    child.stderr.pipe(process.stderr)
    child.on(
      "close",
      (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`bulk-memory exited ${code}`)))
    )
  })

const rated = await scenario("rate-50", ["--rate", String(limit)])
const far = await scenario("rate-50-latency-200", ["--rate", String(limit)], { latencyMs: 200 })
const noBurst = await scenario("rate-50-burst-1", ["--rate", String(limit)], { burst: 1 })
const unrated = await scenario("no-rate-c8", ["--concurrency", "8"])
const paced = [rated, far, noBurst]
const smallMemory = await memory(10_000)
const bigMemory = await memory(memoryRows)
rmSync(dir, { recursive: true, force: true })

const verdict = {
  throughputAtLeast95: paced.every((r) => r.percentOfLimit >= 95),
  tooManyUnder2Percent: paced.every((r) => r.percent429 <= 2),
  noRowLostWithoutRate: unrated.rowsLost === 0 && unrated.inOrder,
  memoryFlat: bigMemory.maxRssMiB < smallMemory.maxRssMiB * 1.5
}
const table = [
  "| run | time | rows/s | % of 50/s limit | requests | 429s | rows written | exit |",
  "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ...[...paced, unrated].map((r) =>
    `| ${rows} rows, ${r.args} | ${
      (r.ms / 1000).toFixed(1)
    } s | ${r.rowsPerSecond} | ${r.percentOfLimit}% | ${r.requests} | ` +
    `${r.tooMany} (${r.percent429}%) | ${r.rowsWritten}${r.inOrder ? ", in order" : ", OUT OF ORDER"} | ${r.exitCode} |`
  )
]
console.log(`\n### hero-pds bulk on Node ${process.version} (sandbox over HTTP, ${limit} req/s)\n`)
console.log(table.join("\n"))
console.log(
  `\nPeak RSS, in-memory sandbox, rate limit off, concurrency 8: ${smallMemory.maxRssMiB} MiB for ` +
    `${smallMemory.rows.toLocaleString("en-GB")} rows (${
      (smallMemory.ms / 1000).toFixed(1)
    } s), ${bigMemory.maxRssMiB} MiB ` +
    `for ${bigMemory.rows.toLocaleString("en-GB")} rows (${(bigMemory.ms / 1000).toFixed(1)} s).`
)
console.log(
  `Verdict: throughput ${verdict.throughputAtLeast95 ? ">= 95%" : "BELOW 95%"} of the limit, 429s ` +
    `${verdict.tooManyUnder2Percent ? "< 2%" : ">= 2%"}, without --rate ${
      verdict.noRowLostWithoutRate ? "no row lost" : "ROWS LOST"
    }, ` +
    `memory ${verdict.memoryFlat ? "flat" : "GROWING"}.`
)
writeFileSync(
  new URL("../bench-results-bulk.json", import.meta.url),
  JSON.stringify(
    {
      node: process.version,
      limit,
      rated,
      far,
      noBurst,
      unrated,
      memory: [smallMemory, bigMemory],
      verdict,
      rows: [
        ...paced.flatMap((r) => [
          [
            `bulk 3,000 rows ${r.args}: throughput vs the 50/s limit`,
            `${r.rowsPerSecond} rows/s`,
            "50 rows/s",
            r.percentOfLimit / 100
          ],
          [`bulk ${r.args}: 429s per request`, `${r.tooMany}/${r.requests}`, "<= 2%", r.percent429 / 100]
        ]),
        [
          "bulk 3,000 rows, no --rate, concurrency 8: time",
          `${(unrated.ms / 1000).toFixed(1)} s`,
          "60 s at the limit",
          unrated.ms / 60_000
        ],
        [
          "bulk no --rate: 429s per request",
          `${unrated.tooMany}/${unrated.requests}`,
          `rows lost ${unrated.rowsLost}`,
          unrated.percent429 / 100
        ],
        [
          `bulk peak RSS, ${bigMemory.rows} rows in memory`,
          `${bigMemory.maxRssMiB} MiB`,
          `${smallMemory.rows} rows ${smallMemory.maxRssMiB} MiB`,
          bigMemory.maxRssMiB / smallMemory.maxRssMiB
        ]
      ].map(([what, figure, baseline, ratio]) => ({ what, figure, baseline, ratio }))
    },
    null,
    2
  )
)
