import { afterEach, describe, expect, it } from "@effect/vitest"
import * as NodeSandboxServer from "@hero-pds/sandbox/NodeSandboxServer"
import { execFile, spawn } from "node:child_process"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { fileURLToPath } from "node:url"

const bin = fileURLToPath(new URL("../bin/hero-pds.js", import.meta.url))
const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("HERO_")))

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs the real `hero-pds` executable as a child process. */
const heroPds = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  new Promise<Run>((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { ...baseEnv, ...env }, timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr })
    )
  })

const json = (run: Run) => JSON.parse(run.stdout)

const servers: Array<NodeSandboxServer.Started> = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

/** The env of a CLI run against a fresh sandbox served over HTTP, with faults scripted first. */
const sandboxEnv = async (faults: NodeSandboxServer.Options["faults"] = {}) => {
  const server = await NodeSandboxServer.start({ faults })
  servers.push(server)
  return {
    HERO_ENV: "sandbox",
    HERO_BASE_URL: server.url,
    HERO_RETRY_INITIAL_DELAY_MS: "5",
    HERO_RETRY_MAX_DELAY_MS: "10"
  }
}

describe("hero-pds register", () => {
  it("registers Jane Smith against the embedded sandbox, saying so on stderr", async () => {
    const run = await heroPds(["register", "9000000009", "2010-10-22"])
    expect(run.code).toBe(0)
    expect(run.stdout.trim()).toBe("Registered: patient_id 98765")
    expect(run.stderr).toContain("embedded sandbox")
  })

  it("prints exactly one JSON object with --json, reading UK dates", async () => {
    const run = await heroPds(["register", "900 000 0009", "22/10/2010", "--json"])
    expect(run.code).toBe(0)
    expect(json(run)).toEqual({ outcome: "registered", patientId: "98765" })
    expect(run.stdout.trim().split("\n")).toHaveLength(1)
  })

  it("traces by demographics", async () => {
    const run = await heroPds([
      "register",
      "--forename",
      "Jane",
      "--surname",
      "Smith",
      "--dob",
      "09/07/1985",
      "--postcode",
      "sw1a 1aa",
      "--json"
    ])
    expect([run.code, json(run)]).toEqual([0, { outcome: "registered", patientId: "131071" }])
  })

  it("exits 3 with the verification link", async () => {
    const run = await heroPds(["register", "9000000017", "1985-03-14", "--json"])
    expect(run.code).toBe(3)
    expect(json(run)).toMatchObject({ outcome: "verification_required", loginUrl: expect.stringMatching(/^https:/) })
    const human = await heroPds(["register", "9000000017", "1985-03-14"])
    expect(human.stdout).toContain("Send the patient this link to verify: https://")
  })

  const errors: ReadonlyArray<[string, number, ReadonlyArray<string>, Record<string, string>, object]> = [
    ["InvalidInput", 2, ["123 456 7891", "1992-01-01"], {}, {}],
    ["PatientNotFound", 4, ["9990000018", "2000-01-01"], {}, { status: 404 }],
    ["Unauthorized", 5, ["9000000009", "2010-10-22"], { HERO_API_KEY: "wrong" }, { status: 401 }],
    ["Forbidden", 5, ["9000000009", "2010-10-22"], { HERO_PRACTICE_GROUP_ID: "other" }, { status: 403 }]
  ]
  for (const [tag, code, args, env, fields] of errors) {
    it(`exits ${code} for ${tag}`, async () => {
      const run = await heroPds(["register", ...args, "--json"], { ...(await sandboxEnv()), ...env })
      expect(run.code).toBe(code)
      expect(json(run)).toMatchObject({ outcome: "error", error: tag, ...fields })
    })
  }

  const faulted: ReadonlyArray<[string, number, NonNullable<NodeSandboxServer.Options["faults"]>, object]> = [
    ["BadRequest", 2, { script: [{ _tag: "Malformed", status: 400, body: "{\"error\":true}" }] }, { status: 400 }],
    ["RateLimited", 6, { script: [{ _tag: "Status", status: 429, retryAfter: "3600" }] }, { status: 429 }],
    ["ServerError", 7, { random: { probability: 1, kinds: [{ _tag: "Status", status: 503 }] } }, { status: 503 }],
    ["TransportError", 7, { random: { probability: 1, kinds: [{ _tag: "Drop" }] } }, {}],
    ["UnexpectedResponse", 8, { script: [{ _tag: "Malformed", body: "<html>oops</html>" }] }, { status: 200 }]
  ]
  for (const [tag, code, faults, fields] of faulted) {
    it(`exits ${code} for ${tag}`, async () => {
      const run = await heroPds(["register", "9000000009", "2010-10-22", "--json"], await sandboxEnv(faults))
      expect(run.code).toBe(code)
      expect(json(run)).toMatchObject({ outcome: "error", error: tag, ...fields })
      if (tag === "TransportError") expect(json(run)).not.toHaveProperty("status")
    })
  }

  it("says what went wrong and what to do next on stderr, without --json", async () => {
    const run = await heroPds(["register", "9990000018", "2000-01-01"], await sandboxEnv())
    expect(run.code).toBe(4)
    expect(run.stdout).toBe("")
    expect(run.stderr).toContain("Check the NHS number and date of birth")
    expect(run.stderr).not.toContain("9990000018")
  })

  it("lets --env and --base-url override the environment variables", async () => {
    const env = await sandboxEnv()
    const run = await heroPds([
      "register",
      "9000000009",
      "2010-10-22",
      "--json",
      "--env",
      "sandbox",
      "--base-url",
      env.HERO_BASE_URL
    ], {
      HERO_ENV: "production"
    })
    expect([run.code, json(run)]).toEqual([0, { outcome: "registered", patientId: "98765" }])
  })

  it("exits 2 naming the variable for bad configuration, before any request", async () => {
    const missing = await heroPds(["register", "9000000009", "2010-10-22", "--json"], { HERO_API_KEY: "k" })
    expect(missing.code).toBe(2)
    expect(json(missing)).toMatchObject({
      error: "HeroConfigError",
      message: expect.stringContaining("HERO_PRACTICE_GROUP_ID")
    })
    const clear = await heroPds(["register", "9000000009", "2010-10-22"], {
      HERO_API_KEY: "k",
      HERO_PRACTICE_GROUP_ID: "pg",
      HERO_BASE_URL: "http://api.example.com"
    })
    expect(clear.code).toBe(2)
    expect(clear.stderr).toContain("HERO_BASE_URL must use https:")
    expect(clear.stderr).not.toContain("k,")
  })

  it("takes every request field as a flag read off the request schemas, EHR fields included", async () => {
    const bodies: Array<unknown> = []
    const server = Http.createServer((request, response) => {
      let body = ""
      request.on("data", (chunk) => (body += chunk))
      request.on("end", () => {
        bodies.push(JSON.parse(body))
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ patient_id: "4242" }))
      })
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      const flags = ["--nhs-number", "900 000 0009", "--dob", "22.10.2010", "--ehr-partner", "EMIS"]
      const run = await heroPds(["register", ...flags, "--ehr-partner-id", "77", "--json"], {
        HERO_API_KEY: "k",
        HERO_PRACTICE_GROUP_ID: "pg",
        HERO_BASE_URL: url
      })
      expect([run.code, json(run)]).toEqual([0, { outcome: "registered", patientId: "4242" }])
      expect(bodies).toEqual([{
        nhs_number: "9000000009",
        dob: "2010-10-22",
        ehr_partner: "EMIS",
        ehr_partner_id: "77"
      }])
      expect(run.stderr).not.toContain("embedded sandbox")
    } finally {
      server.close()
    }
  })

  it("exits 2 for usage errors", async () => {
    const both = await heroPds(["register", "9000000009", "2010-10-22", "--forename", "Jane", "--json"])
    expect(both.code).toBe(2)
    expect(json(both).message).toContain(
      "give either <nhs-number> <dob> (or --nhs-number --dob), or --forename --surname --dob --postcode"
    )
    expect((await heroPds(["register"])).code).toBe(2)
    expect((await heroPds(["register", "9000000009", "2010-10-22", "--postcode", "LS1 6AE"])).code).toBe(2)
    expect((await heroPds(["register", "9000000009", "2010-10-22", "--env", "prod"])).code).toBe(2)
    expect((await heroPds(["frobnicate"])).code).toBe(2)
  })

  it("shows help with examples", async () => {
    const run = await heroPds(["register", "--help"])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain("hero-pds register 9000000009 2010-10-22")
    expect(run.stdout).toContain("Exit codes")
  })
})

describe("hero-pds sandbox", () => {
  const cleanups: Array<() => void> = []
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup()
  })

  /** Starts `hero-pds sandbox` on a free port; stopped after the test. */
  const serveSandbox = async (...flags: ReadonlyArray<string>) => {
    const child = spawn(process.execPath, [bin, "sandbox", "--port", "0", ...flags], { env: baseEnv })
    cleanups.push(() => void child.kill("SIGINT"))
    const output = await new Promise<string>((resolve, reject) => {
      let text = ""
      child.stdout.on("data", (chunk) => {
        text += chunk
        if (text.includes("Ctrl-C")) resolve(text)
      })
      child.on("exit", (code) => reject(new Error(`exited ${code}`)))
    })
    return { output, url: /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]! }
  }

  const post = (url: string) =>
    fetch(`${url}/v1/patients/register_pds`, {
      method: "POST",
      headers: {
        "x-api-key": "sandbox-api-key",
        "x-practice-group-id": "sandbox-practice-group",
        "content-type": "application/json"
      },
      body: JSON.stringify({ nhs_number: "9000000009", dob: "2010-10-22" })
    })

  it("serves the sandbox on 127.0.0.1 and prints its URL and credentials", async () => {
    const { output, url } = await serveSandbox()
    expect(output).toContain("HERO_API_KEY=sandbox-api-key")
    expect(output).toContain("HERO_PRACTICE_GROUP_ID=sandbox-practice-group")
    expect(output).toContain("rate limit 10/s per key (burst 10), no faults")
    const health = await fetch(`${url}/healthz`)
    expect(health.status).toBe(200)
    const run = await heroPds(["register", "9000000009", "2010-10-22", "--json", "--base-url", url])
    expect([run.code, json(run)]).toEqual([0, { outcome: "registered", patientId: "98765" }])
    // The sandbox over HTTP answered, not the embedded one: no notice says otherwise.
    expect(run.stderr).not.toContain("embedded sandbox")
  })

  it("takes its rate limit from --rate and --burst, so the 429 path can be tried by hand", async () => {
    const { output, url } = await serveSandbox("--rate", "0.5", "--burst", "1")
    expect(output).toContain("rate limit 0.5/s per key (burst 1)")
    expect((await post(url)).status).toBe(200)
    const limited = await post(url)
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0)
  })

  it("injects the --fault kinds on --fault-probability of requests", async () => {
    const { output, url } = await serveSandbox("--fault", "503", "--fault", "502", "--fault-probability", "1")
    expect(output).toContain("faults 503, 502 on 100% of requests")
    const statuses = await Promise.all([1, 2, 3, 4].map(() => post(url).then((response) => response.status)))
    expect(statuses.every((status) => status === 502 || status === 503)).toBe(true)
    const run = await heroPds(["register", "9000000009", "2010-10-22", "--json", "--base-url", url], {
      HERO_MAX_RETRIES: "0"
    })
    expect([run.code, json(run).error]).toEqual([7, "ServerError"])
  })

  it("refuses flags that cannot shape a sandbox, in one line, exit 2", async () => {
    for (const flags of [["--fault-probability", "2"], ["--rate", "-1"], ["--fault", "teapot"]]) {
      const run = await heroPds(["sandbox", "--port", "0", ...flags])
      expect(run.code).toBe(2)
    }
    const run = await heroPds(["sandbox", "--port", "0", "--fault-probability", "2"])
    expect(run.stderr.trim()).toBe("Error: --fault-probability must be from 0 to 1")
  })
})

describe("the CLI around its commands", () => {
  // eslint-disable-next-line no-control-regex
  const escape = /\u001b\[/

  it("writes no escape codes when stdout is not a terminal, nor with NO_COLOR or TERM=dumb", async () => {
    for (const env of [{}, { NO_COLOR: "1" }, { TERM: "dumb" }]) {
      for (const args of [["--help"], ["bulk", "--help"], ["register", "--concurrency"]]) {
        const run = await heroPds(args, env)
        expect(run.stdout + run.stderr).not.toMatch(escape)
      }
    }
  })

  it("refuses a port in use or out of range in one line, exit 2", async () => {
    const server = await NodeSandboxServer.start({})
    servers.push(server)
    const inUse = await heroPds(["sandbox", "--port", String(new URL(server.url).port)])
    expect(inUse.code).toBe(2)
    expect(inUse.stderr.trim().split("\n")).toEqual([expect.stringContaining("the port is in use")])
    const outOfRange = await heroPds(["sandbox", "--port", "99999"])
    expect(outOfRange.code).toBe(2)
    expect(outOfRange.stderr.trim().split("\n")).toEqual([expect.stringContaining("--port must be from 0")])
  })

  it("reads as English: an integer, 1 row", async () => {
    const run = await heroPds(["sandbox", "--port", "abc"])
    expect(run.code).toBe(2)
    expect(run.stdout + run.stderr).toContain("'abc' is not an integer")
  })

  it("mentions the embedded sandbox only when it is the one answering", async () => {
    const env = await sandboxEnv()
    const elsewhere = await heroPds(["register", "9000000009", "2010-10-22", "--base-url", env.HERO_BASE_URL])
    expect(elsewhere.code).toBe(0)
    expect(elsewhere.stderr).not.toContain("embedded sandbox")
    const embedded = await heroPds(["register", "9000000009", "2010-10-22"])
    expect(embedded.stderr).toContain("embedded sandbox")
  })
})
