/**
 * Fault injection: 10,000 registerPds calls through @hero-pds/node's Promise client against the sandbox served
 * over HTTP, with faults injected at random. Every call must settle with a result or a HeroError (no defect,
 * no unhandled rejection, no hang), never make more attempts than the policy allows, and every success must
 * carry the right patient_id. Run with `pnpm test:chaos`; it prints the counts per outcome.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { isHeroError } from "@hero-pds/core/HeroError"
import * as NodeSandboxServer from "@hero-pds/sandbox/NodeSandboxServer"
import type * as Sandbox from "@hero-pds/sandbox/Sandbox"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { createHeroClient } from "../src/index.js"

const calls = Number(process.env.CHAOS_CALLS ?? 10_000)
const maxRetries = 3
const timeoutMs = 150

const faults: ReadonlyArray<Sandbox.Fault> = [
  { _tag: "Status", status: 429, retryAfterMs: "5" },
  { _tag: "Status", status: 429, retryAfter: "0" },
  { _tag: "Status", status: 429 },
  { _tag: "Status", status: 500 },
  { _tag: "Status", status: 502 },
  { _tag: "Status", status: 503 },
  { _tag: "Status", status: 504 },
  { _tag: "Drop" },
  { _tag: "Delay", millis: timeoutMs * 3 },
  { _tag: "Malformed", body: "{\"patient_id\": \"98" },
  { _tag: "Malformed", body: "<html><body>502 Bad Gateway</body></html>", contentType: "text/html", status: 502 },
  { _tag: "Malformed", body: "<html>ok</html>", contentType: "text/html" },
  { _tag: "Malformed", body: "" },
  { _tag: "Malformed", body: "{}", contentType: "text/plain" }
]

/** The sandbox's patients the calls use, with what each must return when it succeeds. */
const patients = [
  { input: { nhsNumber: "9000000009", dob: "2010-10-22" }, expected: { _tag: "Registered", patientId: "98765" } },
  { input: { nhsNumber: "943 476 5919", dob: "1992-01-01" }, expected: { _tag: "Registered", patientId: "104729" } },
  { input: { nhsNumber: "9000000033", dob: "1978-12-01" }, expected: { _tag: "Registered", patientId: "424242" } },
  { input: { nhsNumber: "9000000017", dob: "1985-03-14" }, expected: { _tag: "VerificationRequired" } },
  { input: { nhsNumber: "9990000018", dob: "2000-01-01" }, expected: { _tag: "PatientNotFound" } }
] as const

/** A pass-through proxy that counts the requests of each call (tagged by its ehr_partner_id). */
const countingProxy = async (target: string) => {
  const attempts = new Map<string, number>()
  const server = Http.createServer((request, response) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      const body = Buffer.concat(chunks)
      const id = String(JSON.parse(body.toString()).ehr_partner_id)
      attempts.set(id, (attempts.get(id) ?? 0) + 1)
      const upstream = Http.request(
        target + request.url,
        { method: request.method, headers: request.headers },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(response)
        }
      )
      upstream.on("error", () => response.destroy())
      response.on("close", () => upstream.destroy())
      upstream.end(body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    attempts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

describe("chaos: @hero-pds/node against a faulty sandbox", () => {
  let sandbox: NodeSandboxServer.Started
  let proxy: Awaited<ReturnType<typeof countingProxy>>
  const unhandled: Array<unknown> = []
  const onUnhandled = (reason: unknown) => unhandled.push(reason)

  beforeAll(async () => {
    process.on("unhandledRejection", onUnhandled)
    sandbox = await NodeSandboxServer.start({
      rateLimit: false,
      faults: { random: { probability: 0.35, kinds: faults } }
    })
    proxy = await countingProxy(sandbox.url)
  })
  afterAll(async () => {
    process.off("unhandledRejection", onUnhandled)
    await proxy.close()
    await sandbox.close()
  })

  it(`settles ${calls} calls with a result or a HeroError, within the retry policy`, async () => {
    const hero = createHeroClient({
      environment: "sandbox",
      baseUrl: proxy.url,
      timeoutMs,
      maxRetries,
      retryInitialDelayMs: 1,
      retryMaxDelayMs: 10,
      maxRetryAfterMs: 50
    })
    const inputs = function*() {
      for (let call = 0; call < calls; call++) {
        const patient = patients[call % patients.length]!
        yield { ...patient.input, ehrPartner: "chaos", ehrPartnerId: String(call), patient }
      }
    }
    const counts = new Map<string, number>()
    const problems: Array<string> = []
    let settledCalls = 0
    for await (const settled of hero.registerAll(inputs(), { concurrency: 32 })) {
      settledCalls++
      const { expected } = settled.input.patient
      const outcome = settled.result?._tag ?? settled.error?._tag ?? "nothing"
      counts.set(outcome, (counts.get(outcome) ?? 0) + 1)
      if (settled.error !== undefined && !isHeroError(settled.error)) problems.push(`defect: ${settled.error}`)
      if (settled.result !== undefined) {
        if (settled.result._tag !== expected._tag) problems.push(`wrong result ${settled.result._tag}`)
        if ("patientId" in expected && settled.result._tag === "Registered") {
          if (settled.result.patientId !== expected.patientId) problems.push("wrong patient_id")
        }
      }
      const attempts = proxy.attempts.get(settled.input.ehrPartnerId) ?? 0
      if (attempts > maxRetries + 1) problems.push(`${attempts} attempts`)
      if (settled.error !== undefined && "attempts" in settled.error && settled.error.attempts > maxRetries + 1) {
        problems.push(`error reports ${settled.error.attempts} attempts`)
      }
    }
    await hero.close()
    const table = [...counts.entries()].sort(([a], [b]) => a.localeCompare(b))
    process.stdout.write(
      `\nchaos: ${settledCalls} calls settled\n${
        table.map(([outcome, n]) => `  ${outcome.padEnd(22)} ${n}`).join("\n")
      }\n`
    )
    expect(settledCalls).toBe(calls)
    expect(problems).toEqual([])
    expect(unhandled).toEqual([])
    expect(counts.get("nothing")).toBeUndefined()
    expect(counts.get("Registered")).toBeGreaterThan(calls / 10)
  })
})
