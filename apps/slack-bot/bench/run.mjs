/**
 * `pnpm bench`: acknowledgement latency of the Node entry (`dist/NodeMain.js`, embedded Hero sandbox) for 50
 * concurrent signed `/register-patient` commands, over 5 rounds after a warm-up. Prints a Markdown table and
 * writes bench-results.json. Follow-ups go to a local 127.0.0.1 receiver and are counted, not timed.
 */
import { spawn } from "node:child_process"
import { writeFileSync } from "node:fs"
import * as Http from "node:http"
import { fileURLToPath } from "node:url"
import { postSignedCommand } from "../scripts/signed-command.mjs"

const root = fileURLToPath(new URL("..", import.meta.url))
const concurrency = 50
const rounds = 5
const secret = "bench-signing-secret"
const team = "TBENCH001"

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

const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(HERO|SLACK)_/.test(name)))
const child = spawn(process.execPath, ["dist/NodeMain.js"], {
  cwd: root,
  env: {
    ...env,
    PORT: "0",
    HOST: "127.0.0.1",
    SLACK_SIGNING_SECRET: secret,
    SLACK_ALLOWED_TEAM_IDS: team,
    SLACK_RESPONSE_URL_ORIGINS: receiverOrigin,
    HERO_ENV: "sandbox"
  },
  stdio: ["ignore", "pipe", "inherit"]
})
const port = await new Promise((resolve, reject) => {
  let buffered = ""
  child.stdout.on("data", (chunk) => {
    buffered += chunk.toString("utf8")
    for (const line of buffered.split("\n")) {
      if (line.includes("\"listening\"")) resolve(JSON.parse(line).port)
    }
  })
  child.on("exit", (code) => reject(new Error(`The server exited with ${code}`)))
})

let sequence = 0
const send = async () => {
  const n = ++sequence
  const fields = {
    team_id: team,
    user_id: `UBENCH${n}`,
    channel_id: "CBENCH001",
    command: "/register-patient",
    text: "900 000 0009 22/10/2010",
    response_url: `${receiverOrigin}/commands/${n}`
  }
  const started = performance.now()
  const response = await postSignedCommand(`http://127.0.0.1:${port}`, secret, fields)
  await response.text()
  if (response.status !== 200) throw new Error(`HTTP ${response.status}`)
  return performance.now() - started
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]

try {
  for (let i = 0; i < 10; i++) await send()
  const samples = []
  for (let round = 0; round < rounds; round++) {
    samples.push(...(await Promise.all(Array.from({ length: concurrency }, send))))
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  const sorted = [...samples].sort((a, b) => a - b)
  const results = {
    node: process.version,
    concurrency,
    rounds,
    samples: samples.length,
    ackMs: {
      p50: Number(percentile(sorted, 50).toFixed(2)),
      p99: Number(percentile(sorted, 99).toFixed(2)),
      max: Number(sorted[sorted.length - 1].toFixed(2))
    },
    followUpsReceivedDuringRun: followUps
  }
  console.log(`| ack latency (${concurrency} concurrent, ${rounds} rounds, Node ${process.version}) | ms |`)
  console.log("| --- | --- |")
  console.log(`| p50 | ${results.ackMs.p50} |`)
  console.log(`| p99 | ${results.ackMs.p99} |`)
  console.log(`| max | ${results.ackMs.max} |`)
  writeFileSync(new URL("../bench-results.json", import.meta.url), JSON.stringify(results, null, 2) + "\n")
} finally {
  child.kill("SIGTERM")
  receiver.closeAllConnections()
  receiver.close()
}
