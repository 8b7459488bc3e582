/**
 * `pnpm bench`: acknowledgement latency (p50, p99, max) of the Node entry (`dist/NodeMain.js`, embedded Hero
 * sandbox) for 50 and for 500 concurrent signed `/register-patient` commands, each a burst sent at once, several
 * rounds after a warm-up. Writes bench-results.json and prints a Markdown table.
 *
 * The load client must not be the bottleneck: bodies are signed before the clock starts, requests go through an
 * undici Pool with one connection per concurrent command (no pipelining, as Slack's own requests arrive), and
 * the same client measures, in the same run, a bare node:http server that answers a fixed JSON at once: the floor
 * that any server would show under this client. `BENCH_BASELINE_DIST=<dir with NodeMain.js>` adds another build
 * of the app (e.g. main's) to the same run. Follow-ups go to a local receiver and are counted, not timed.
 */
import { spawn } from "node:child_process"
import { createHmac } from "node:crypto"
import { writeFileSync } from "node:fs"
import * as Http from "node:http"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Pool } from "undici"

const root = fileURLToPath(new URL("..", import.meta.url))
const secret = "bench-signing-secret"
const team = "TBENCH001"
const plans = [{ concurrency: 50, rounds: 10 }, { concurrency: 500, rounds: 4 }]

let followUps = 0
const receiver = Http.createServer((request, response) => {
  request.resume()
  request.on("end", () => {
    followUps++
    response.writeHead(200).end("ok")
  })
})
await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve))
const receiverOrigin = `http://127.0.0.1:${receiver.address().port}`

/** The app's Node entry from `dist` as a child process; resolves with its port. */
const startApp = (dist) => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(HERO|SLACK)_/.test(name)))
  const child = spawn(process.execPath, [join(dist, "NodeMain.js")], {
    cwd: root,
    env: {
      ...env,
      PORT: "0",
      HOST: "127.0.0.1",
      SLACK_SIGNING_SECRET: secret,
      SLACK_ALLOWED_TEAM_IDS: team,
      SLACK_RESPONSE_URL_ORIGINS: receiverOrigin,
      AUDIT_HASH_KEY: "bench-audit-hash-key-0123456789abcdef",
      HERO_ENV: "sandbox"
    },
    stdio: ["ignore", "pipe", "inherit"]
  })
  const port = new Promise((resolve, reject) => {
    let buffered = ""
    child.stdout.on("data", (chunk) => {
      buffered += chunk.toString("utf8")
      const lines = buffered.split("\n")
      buffered = lines.pop()
      for (const line of lines) if (line.includes("\"listening\"")) resolve(JSON.parse(line).port)
    })
    child.on("exit", (code) => reject(new Error(`The server exited with ${code}`)))
  })
  return { port, stop: () => child.kill("SIGTERM") }
}

/** A bare node:http server answering a fixed ephemeral message: what this client measures at best. */
const startFloor = async () => {
  const answer = JSON.stringify({ response_type: "ephemeral", text: "Tracing *** *** 0009 on PDS…", blocks: [] })
  const server = Http.createServer((request, response) => {
    request.resume()
    request.on("end", () => response.writeHead(200, { "content-type": "application/json" }).end(answer))
  })
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve))
  return { port: Promise.resolve(server.address().port), stop: () => server.close() }
}

let sequence = 0
/** Signed commands, each from its own user (so the duplicate guard joins none), signed before timing. */
const signedCommands = (count) =>
  Array.from({ length: count }, () => {
    const n = ++sequence
    const body = new URLSearchParams({
      team_id: team,
      user_id: `UBENCH${n}`,
      channel_id: "CBENCH001",
      command: "/register-patient",
      text: "900 000 0009 22/10/2010",
      response_url: `${receiverOrigin}/commands/${n}`
    }).toString()
    const timestamp = String(Math.floor(Date.now() / 1000))
    const signature = `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`
    return {
      body,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": signature
      }
    }
  })

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
const round2 = (n) => Number(n.toFixed(2))

/** Bursts of `concurrency` commands, `rounds` times; latency from dispatch to the end of the answer. */
const measure = async (port, { concurrency, rounds }) => {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: concurrency, pipelining: 1 })
  const send = async ({ body, headers }) => {
    const started = performance.now()
    const response = await pool.request({ path: "/slack/commands", method: "POST", headers, body })
    await response.body.text()
    if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode}`)
    return performance.now() - started
  }
  try {
    // Warm-up: open every connection and let both sides' code paths compile.
    await Promise.all(signedCommands(concurrency).map(send))
    const samples = []
    for (let round = 0; round < rounds; round++) {
      const batch = signedCommands(concurrency)
      samples.push(...(await Promise.all(batch.map(send))))
      // Let the follow-ups of the burst finish, as between bursts of real use.
      await new Promise((resolve) => setTimeout(resolve, 300))
    }
    const sorted = samples.sort((a, b) => a - b)
    return {
      samples: sorted.length,
      p50: round2(percentile(sorted, 50)),
      p99: round2(percentile(sorted, 99)),
      max: round2(sorted[sorted.length - 1])
    }
  } finally {
    await pool.close()
  }
}

const targets = [
  ["floor (bare node:http, same client)", startFloor],
  ["Node entry (dist/NodeMain.js)", () => startApp(join(root, "dist"))],
  ...(process.env.BENCH_BASELINE_DIST === undefined
    ? []
    : [[`baseline (${process.env.BENCH_BASELINE_DIST})`, () => startApp(process.env.BENCH_BASELINE_DIST)]])
]

const rows = []
try {
  for (const [what, start] of targets) {
    const target = await start()
    try {
      const port = await target.port
      for (const plan of plans) rows.push({ what, ...plan, ackMs: await measure(port, plan) })
    } finally {
      target.stop()
    }
  }
} finally {
  receiver.closeAllConnections()
  receiver.close()
}

console.log(`| target (Node ${process.version}) | concurrent | samples | p50 ms | p99 ms | max ms |`)
console.log("| --- | --- | --- | --- | --- | --- |")
for (const row of rows) {
  console.log(
    `| ${row.what} | ${row.concurrency} | ${row.ackMs.samples} | ${row.ackMs.p50} | ${row.ackMs.p99} | ${row.ackMs.max} |`
  )
}
writeFileSync(
  new URL("../bench-results.json", import.meta.url),
  JSON.stringify({ node: process.version, rows, followUpsReceivedDuringRun: followUps }, null, 2) + "\n"
)
