/**
 * `pnpm bench`: acknowledgement latency (p50, p99, max) of the Node entry (`dist/NodeMain.js`; Hero is the sandbox
 * served by a process of its own) for 50 and for 500 concurrent signed `/register-patient` commands, each a burst
 * sent at once, several rounds after a warm-up, and the server's CPU per command and memory after (Linux). Writes
 * bench-results.json and prints a Markdown table.
 *
 * The load client must not be the bottleneck: bodies are signed before the clock starts, requests go through an
 * undici Pool with one connection per concurrent command (no pipelining, as Slack's own requests arrive), and
 * the same client measures, in the same run, a bare node:http server that answers a fixed JSON at once: the floor
 * that any server would show under this client. `BENCH_BASELINE_DIST=<dir with NodeMain.js>` adds another build
 * of the app (e.g. main's) to the same run; `BENCH_PROFILE=1` writes each server's CPU profile to /tmp/prof. Follow-ups
 * go to a local receiver and are counted, not timed.
 */
import { spawn } from "node:child_process"
import { createHmac } from "node:crypto"
import { readFileSync, writeFileSync } from "node:fs"
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

/** A server as a child process that logs `{"event":"listening","port":...}`; resolves with its port. */
const startChild = (args, extraEnv) => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(HERO|SLACK)_/.test(name)))
  const profile = process.env.BENCH_PROFILE ? ["--cpu-prof", "--cpu-prof-dir=/tmp/prof"] : []
  const child = spawn(process.execPath, [...profile, ...args], {
    cwd: root,
    env: { ...env, ...extraEnv },
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
  return { port, pid: child.pid, stop: () => child.kill("SIGTERM") }
}

/** Hero: the sandbox served over HTTP by its own process (no rate limit), as a real Hero is elsewhere. */
const heroServer = `
import("@hero-pds/sandbox/NodeSandboxServer").then(async (server) => {
  const { port } = await server.start({ rateLimit: false })
  console.log(JSON.stringify({ event: "listening", port }))
})
`
const hero = startChild(["-e", heroServer], {})

/** The app's Node entry from `dist`, calling the sandbox process. */
const startApp = async (dist) =>
  startChild([join(dist, "NodeMain.js")], {
    PORT: "0",
    HOST: "127.0.0.1",
    SLACK_SIGNING_SECRET: secret,
    SLACK_ALLOWED_TEAM_IDS: team,
    SLACK_RESPONSE_URL_ORIGINS: receiverOrigin,
    AUDIT_HASH_KEY: "bench-audit-hash-key-0123456789abcdef",
    HERO_ENV: "sandbox",
    HERO_BASE_URL: `http://127.0.0.1:${await hero.port}`,
    HERO_API_KEY: "sandbox-api-key",
    HERO_PRACTICE_GROUP_ID: "sandbox-practice-group"
  })

/** A bare node:http server answering a fixed ephemeral message at once (a child process): this client's floor. */
const floorServer = `
const answer = JSON.stringify({ response_type: "ephemeral", text: "Tracing *** *** 0009 on PDS…", blocks: [] })
const server = require("node:http").createServer((request, response) => {
  request.resume()
  request.on("end", () => response.writeHead(200, { "content-type": "application/json" }).end(answer))
})
server.listen(0, "127.0.0.1", () => console.log(JSON.stringify({ event: "listening", port: server.address().port })))
`
const startFloor = () => startChild(["-e", floorServer], {})

/** Resident memory of a process (MiB), from /proc (Linux); undefined elsewhere. */
const rssMiB = (pid) => {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS:"))
    return Math.round(Number(line.split(/\s+/)[1]) / 1024)
  } catch {
    return undefined
  }
}

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux); undefined elsewhere. */
const cpuMillis = (pid) => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
  } catch {
    return undefined
  }
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

/** A client for one target: one connection per concurrent command; latency from dispatch to the end of the answer. */
const client = (port, concurrency) => {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: concurrency, pipelining: 1 })
  const send = async ({ body, headers }) => {
    const started = performance.now()
    const response = await pool.request({ path: "/slack/commands", method: "POST", headers, body })
    await response.body.text()
    if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode}`)
    return performance.now() - started
  }
  return { burst: () => Promise.all(signedCommands(concurrency).map(send)), close: () => pool.close() }
}

const summary = (samples) => {
  const sorted = [...samples].sort((a, b) => a - b)
  return {
    samples: sorted.length,
    p50: round2(percentile(sorted, 50)),
    p99: round2(percentile(sorted, 99)),
    max: round2(sorted[sorted.length - 1])
  }
}

const targets = [
  ["floor (bare node:http, same client)", startFloor],
  ["Node entry (dist/NodeMain.js)", () => startApp(join(root, "dist"))],
  ...(process.env.BENCH_BASELINE_DIST === undefined
    ? []
    : [[`baseline (${process.env.BENCH_BASELINE_DIST})`, () => startApp(process.env.BENCH_BASELINE_DIST)]])
]

// Every target runs at once and the rounds are interleaved (a burst at each target in turn), so each sees the
// same machine: the figures of one run compare with each other.
const rows = []
const started = []
try {
  for (const [what, start] of targets) started.push({ what, target: await start() })
  const ports = await Promise.all(started.map(({ target }) => target.port))
  for (const plan of plans) {
    const clients = ports.map((port) => client(port, plan.concurrency))
    const samples = clients.map(() => [])
    const cpu = clients.map(() => 0)
    // Warm-up: open every connection and let both sides' code paths compile.
    for (let round = 0; round < 3; round++) for (const c of clients) await c.burst()
    for (let round = 0; round < plan.rounds; round++) {
      for (const [i, c] of clients.entries()) {
        const before = cpuMillis(started[i].target.pid)
        samples[i].push(...(await c.burst()))
        cpu[i] += cpuMillis(started[i].target.pid) - before
        // Let the follow-ups of the burst finish, as between bursts of real use.
        await new Promise((resolve) => setTimeout(resolve, 300))
      }
    }
    await Promise.all(clients.map((c) => c.close()))
    started.forEach(({ what }, i) =>
      rows.push({
        what,
        ...plan,
        ackMs: summary(samples[i]),
        // The server's CPU during its bursts (follow-up work that ran meanwhile included), per command.
        cpuMicrosPerAck: Number.isNaN(cpu[i]) ? undefined : Math.round((cpu[i] * 1000) / samples[i].length),
        rssMiBAfter: rssMiB(started[i].target.pid)
      })
    )
  }
} finally {
  for (const { target } of started) target.stop()
  hero.stop()
  receiver.closeAllConnections()
  receiver.close()
}

console.log(
  `| target (Node ${process.version}) | concurrent | samples | p50 ms | p99 ms | max ms | server CPU µs/ack | RSS MiB |`
)
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |")
for (const { ackMs, concurrency, cpuMicrosPerAck, rssMiBAfter, what } of rows) {
  const figures = [ackMs.samples, ackMs.p50, ackMs.p99, ackMs.max, cpuMicrosPerAck ?? "n/a", rssMiBAfter ?? "n/a"]
  console.log(`| ${what} | ${concurrency} | ${figures.join(" | ")} |`)
}
writeFileSync(
  new URL("../bench-results.json", import.meta.url),
  JSON.stringify({ node: process.version, rows, followUpsReceivedDuringRun: followUps }, null, 2) + "\n"
)
