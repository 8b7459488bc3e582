// One report from every package's `pnpm bench` results: a Markdown table on stdout and bench-report.json.
// `node scripts/bench-report.mjs --readme` also rewrites README.md's Performance section from it.
import { existsSync, readFileSync, writeFileSync } from "node:fs"

const read = (path) => (existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : undefined)
const fixed = (n, digits = 2) => (n === undefined ? "n/a" : Number(n).toFixed(digits))
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`

const node = read("packages/node/bench-results.json")
const bulk = read("packages/node/bench-results-bulk.json")
const edge = read("packages/edge/bench-results.json")
const install = read("packages/node/bench-results-install.json")
const timeout = read("packages/node/bench-results-timeout.json")
const slack = read("apps/slack-bot/bench-results.json")

/** Each row: what, the figure, its baseline, and the ratio to it (lower is better unless said). */
const rows = []
if (node) {
  const [fetch, library, floor] = node.rows
  rows.push(
    [
      "Node client median latency",
      `${library.medianMs} ms`,
      `hand-written fetch ${fetch.medianMs} ms`,
      library.latencyRatio
    ],
    [
      "Node client, 6,000 calls at concurrency 64",
      `${library.total6000At64Ms} ms`,
      `fetch ${fetch.total6000At64Ms} ms`,
      library.throughputRatio
    ],
    ["raw undici Pool.request (the floor), median", `${floor.medianMs} ms`, "fetch", floor.latencyRatio],
    [
      "Node client vs the undici floor, median",
      `${library.medianMs} ms`,
      `undici ${floor.medianMs} ms`,
      node.verdict.latencyVsFloor
    ],
    [
      "Node client vs the undici floor, 6,000 calls at concurrency 64",
      `${library.total6000At64Ms} ms`,
      `undici ${floor.total6000At64Ms} ms`,
      node.verdict.throughputVsFloor
    ]
  )
}
if (edge) {
  rows.push(
    [
      "Edge Worker bundle, gzip",
      kib(edge.bundle.gzipBytes),
      `budget ${kib(edge.bundle.budgetGzipBytes)}`,
      edge.bundle.gzipBytes / edge.bundle.budgetGzipBytes
    ],
    ...(edge.bundle.wrangler === undefined ? [] : [[
      "Edge Worker through wrangler deploy --dry-run --minify, gzip",
      kib(edge.bundle.wrangler.gzipBytes),
      `esbuild ${kib(edge.bundle.gzipBytes)}`,
      edge.bundle.wrangler.gzipBytes / edge.bundle.gzipBytes
    ]]),
    [
      "Edge cold start: evaluate + first request in workerd",
      `${fixed(edge.workerd.evaluationMs + edge.workerd.firstRequestMs, 0)} ms`,
      `an empty Worker starts in ${fixed(edge.workerd.emptyWorkerReadyMs, 0)} ms`,
      edge.workerd.readyMs / edge.workerd.emptyWorkerReadyMs
    ]
  )
}
if (timeout) {
  rows.push([
    `Node: timeoutMs ${timeout.timeoutMs} against a body trickling a byte per 400 ms, rejected after`,
    `${timeout.timeoutMs + timeout.trickle.medianMs} ms (worst ${timeout.timeoutMs + timeout.trickle.worstMs} ms)`,
    `timeoutMs ${timeout.timeoutMs}`,
    (timeout.timeoutMs + timeout.trickle.medianMs) / timeout.timeoutMs
  ])
}
if (install) {
  rows.push([
    "npm i @hero-pds/node (packed tarballs), node_modules on disk",
    `${(install.bytes / 1e6).toFixed(1)} MB, ${install.packages} packages`,
    `budget ${install.budgetBytes / 1e6} MB`,
    install.bytes / install.budgetBytes
  ])
}
if (slack) {
  // Each concurrency: the Node entry's acknowledgement latency beside the same client's floor (a bare node:http
  // server) in the same run, round by round.
  const app = slack.rows.filter((row) => row.what.startsWith("Node entry"))
  for (const row of app) {
    const floor = slack.rows.find((other) => other.what.startsWith("floor") && other.concurrency === row.concurrency)
    for (const p of ["p50", "p99"]) {
      rows.push([
        `Slack ack ${p}, ${row.concurrency} concurrent commands (Node entry)`,
        `${row.ackMs[p]} ms`,
        `bare node:http server, same client ${floor.ackMs[p]} ms`,
        row.ackMs[p] / floor.ackMs[p]
      ])
    }
  }
}
if (bulk) {
  for (const row of bulk.rows ?? []) rows.push([row.what, row.figure, row.baseline, row.ratio])
}

const table = [
  "| measure | figure | baseline (same run) | ratio |",
  "| --- | --- | --- | --- |",
  ...rows.map(([what, figure, baseline, ratio]) => `| ${what} | ${figure} | ${baseline} | ${fixed(ratio)}x |`)
].join("\n")
const markdown =
  `Measured by \`pnpm bench\` on ${node?.node ?? process.version}, ${new Date().toISOString().slice(0, 10)}, ` +
  `on this project's 2-core CI-class machine.\n\n${table}\n`

console.log(`\n## hero-pds benchmark report\n\n${markdown}`)
writeFileSync(
  "bench-report.json",
  JSON.stringify({ date: new Date().toISOString(), node, timeout, install, bulk, edge, slack }, null, 2)
)

if (process.argv.includes("--readme")) {
  const readme = readFileSync("README.md", "utf8")
  const start = "<!-- bench:start -->"
  const end = "<!-- bench:end -->"
  if (!readme.includes(start)) throw new Error("README.md has no Performance section markers")
  const before = readme.slice(0, readme.indexOf(start) + start.length)
  const after = readme.slice(readme.indexOf(end))
  writeFileSync("README.md", `${before}\n${markdown}${after}`)
}
