// pnpm bench: how closely `timeoutMs` bounds an attempt on Node. A local server that never answers, and one that
// sends headers and then one body byte every 400 ms; `createHeroClient({ timeoutMs: 300, maxRetries: 0 })` against
// each, 15 calls: how long after 300 ms each call rejected (median and worst). Writes bench-results-timeout.json.
import { writeFileSync } from "node:fs"
import * as Http from "node:http"
import { createHeroClient } from "../dist/index.js"

const timeoutMs = 300
const calls = 15
const timers = new Set()
const server = Http.createServer((request, response) => {
  request.resume()
  if (request.url.startsWith("/trickle/")) {
    response.writeHead(200, { "content-type": "application/json", "content-length": "100" })
    response.write("{")
    const timer = setInterval(() => response.write(" "), 400)
    timers.add(timer)
    response.on("close", () => clearInterval(timer))
  }
  // Anything else is never answered.
})
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve))
const origin = `http://127.0.0.1:${server.address().port}`

const overshoot = async (route) => {
  const hero = createHeroClient({
    apiKey: "bench-key",
    practiceGroupId: "bench",
    baseUrl: `${origin}/${route}`,
    timeoutMs,
    maxRetries: 0
  })
  const samples = []
  for (let i = 0; i < calls; i++) {
    const started = performance.now()
    const error = await hero.registerPds({ nhsNumber: "9000000009", dob: "2010-10-22" }).catch((e) => e)
    if (error?._tag !== "TransportError" || error.reason !== "Timeout") {
      throw new Error(`expected a timeout, got ${error}`)
    }
    samples.push(performance.now() - started - timeoutMs)
  }
  await hero.close()
  const sorted = samples.sort((a, b) => a - b)
  return { medianMs: +sorted[Math.floor(sorted.length / 2)].toFixed(1), worstMs: +sorted.at(-1).toFixed(1) }
}

const results = {
  node: process.version,
  timeoutMs,
  calls,
  silent: await overshoot("silent"),
  trickle: await overshoot("trickle")
}
for (const timer of timers) clearInterval(timer)
server.closeAllConnections()
server.close()
writeFileSync(new URL("../bench-results-timeout.json", import.meta.url), `${JSON.stringify(results, null, 2)}\n`)
console.log(`| timeoutMs ${timeoutMs}: rejected after the timeout by | median | worst |\n| --- | --- | --- |`)
console.log(`| a server that never answers | ${results.silent.medianMs} ms | ${results.silent.worstMs} ms |`)
console.log(
  `| a body trickling one byte every 400 ms | ${results.trickle.medianMs} ms | ${results.trickle.worstMs} ms |`
)
