// pnpm bench: createHeroClient(...).registerPds vs a hand-written fetch of the same request vs raw undici
// Pool.request, against one local server, interleaved in one process. Reports median latency and the time
// for 6,000 calls at concurrency 64, each as a ratio to the hand-written fetch.
import { writeFileSync } from "node:fs"
import * as Http from "node:http"
import { Pool } from "undici"
import { createHeroClient } from "../dist/index.js"

const path = "/v1/patients/register_pds"
const input = { nhsNumber: "9000000009", dob: "2010-10-22" }
const body = JSON.stringify({ nhs_number: "9000000009", dob: "2010-10-22" })
const headers = { "x-api-key": "bench-key", "x-practice-group-id": "bench-group", "content-type": "application/json" }
const answer = JSON.stringify({ patient_id: "98765" })

const server = Http.createServer((request, response) => {
  request.resume()
  request.on("end", () => {
    response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(answer) })
    response.end(answer)
  })
})
server.keepAliveTimeout = 60_000
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve))
const origin = `http://127.0.0.1:${server.address().port}`

const hero = createHeroClient({ apiKey: "bench-key", practiceGroupId: "bench-group", baseUrl: origin })
const pool = new Pool(origin, { connections: 64 })

const clients = {
  "fetch (hand-written)": async () => {
    const response = await fetch(origin + path, { method: "POST", headers, body })
    if (!response.ok) throw new Error(`Request failed: ${response.status}`)
    return response.json()
  },
  "@hero-pds/node createHeroClient": () => hero.registerPds(input),
  "undici Pool.request (floor)": async () => {
    const response = await pool.request({ path, method: "POST", headers, body })
    return response.body.json()
  }
}
const names = Object.keys(clients)
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

/** Every order of the paths: each round takes the next, so each path follows each other one equally often (what one
 * path leaves behind, e.g. fetch's garbage, is then charged to all alike, not to whichever runs after it). */
const orders = (function permutations(list) {
  return list.length <= 1
    ? [list]
    : list.flatMap((first, i) =>
      permutations([...list.slice(0, i), ...list.slice(i + 1)]).map((rest) => [first, ...rest])
    )
})(names)

const latency = async (rounds) => {
  const samples = Object.fromEntries(names.map((name) => [name, []]))
  for (let round = 0; round < rounds; round++) {
    for (const name of orders[round % orders.length]) {
      const start = performance.now()
      await clients[name]()
      samples[name].push(performance.now() - start)
    }
  }
  return Object.fromEntries(names.map((name) => [name, median(samples[name])]))
}

const throughput = async (calls, concurrency, rounds) => {
  const samples = Object.fromEntries(names.map((name) => [name, []]))
  for (let round = 0; round < rounds; round++) {
    for (const name of orders[round % orders.length]) {
      let next = 0
      const start = performance.now()
      await Promise.all(Array.from({ length: concurrency }, async () => {
        while (next++ < calls) await clients[name]()
      }))
      samples[name].push(performance.now() - start)
    }
  }
  return Object.fromEntries(names.map((name) => [name, median(samples[name])]))
}

await latency(300) // warm up every path (JIT, connections)
await throughput(1_000, 64, 1)
const medianMs = await latency(3_000)
const totalMs = await throughput(6_000, 64, 6)

await hero.close()
await pool.close()
server.close()

const baseline = names[0]
const rows = names.map((name) => ({
  path: name,
  medianMs: +medianMs[name].toFixed(3),
  latencyRatio: +(medianMs[name] / medianMs[baseline]).toFixed(2),
  total6000At64Ms: Math.round(totalMs[name]),
  throughputRatio: +(totalMs[name] / totalMs[baseline]).toFixed(2)
}))
const library = rows[1]
const floor = rows[2]
const verdict = {
  atLeastAsFastAsFetch: library.latencyRatio <= 1 && library.throughputRatio <= 1,
  latencyVsFloor: +(medianMs[library.path] / medianMs[floor.path]).toFixed(2),
  throughputVsFloor: +(totalMs[library.path] / totalMs[floor.path]).toFixed(2)
}

console.log(`\n### register_pds on Node ${process.version} (local server, interleaved, ratios vs hand-written fetch)\n`)
console.log("| path | median latency | ratio | 6,000 calls at concurrency 64 | ratio |")
console.log("| --- | --- | --- | --- | --- |")
for (const row of rows) {
  console.log(
    `| ${row.path} | ${row.medianMs} ms | ${row.latencyRatio}x | ${row.total6000At64Ms} ms | ${row.throughputRatio}x |`
  )
}
console.log(
  `\nLibrary vs fetch: ${verdict.atLeastAsFastAsFetch ? "at least as fast on both" : "SLOWER"}; ` +
    `vs the undici floor: ${verdict.latencyVsFloor}x latency, ${verdict.throughputVsFloor}x throughput time.`
)
writeFileSync(
  new URL("../bench-results.json", import.meta.url),
  JSON.stringify({ node: process.version, rows, verdict }, null, 2)
)
