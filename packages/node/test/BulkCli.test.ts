import { afterEach, describe, expect, it } from "@effect/vitest"
import * as NodeSandboxServer from "@hero-pds/sandbox/NodeSandboxServer"
import type * as SandboxPatients from "@hero-pds/sandbox/SandboxPatients"
import { type ChildProcess, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { countingProxy, csvOf, syntheticPatients } from "./utils/bulk.js"

const bin = fileURLToPath(new URL("../bin/hero-pds.js", import.meta.url))
const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("HERO_")))

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Spawns `hero-pds` (killed at cleanup if still running); `during` may act on it while it runs. */
const heroPds = (args: ReadonlyArray<string>, env: Record<string, string>, during?: (child: ChildProcess) => void) =>
  new Promise<Run>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...baseEnv, ...env } })
    cleanups.push(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
    during?.(child)
  })

const tempDir = () => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "hero-bulk-cli-"))
  cleanups.push(() => Fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

const sandbox = async (patients: ReadonlyArray<SandboxPatients.Patient>, options: NodeSandboxServer.Options = {}) => {
  const server = await NodeSandboxServer.start({ patients, ...options })
  cleanups.push(() => server.close())
  const proxy = await countingProxy(server.url)
  cleanups.push(() => proxy.close())
  return { proxy, env: { HERO_ENV: "sandbox", HERO_BASE_URL: proxy.url } }
}

/** Nothing a person sees may hold an NHS number or a date of birth. */
const expectNoPatientData = (run: Run, patients: ReadonlyArray<SandboxPatients.Patient>) => {
  const printed = run.stdout + run.stderr
  for (const patient of patients) {
    expect(printed).not.toContain(patient.nhsNumber)
    expect(printed).not.toContain(patient.dob)
  }
}

const dataRows = (path: string) => Fs.readFileSync(path, "utf8").split("\r\n").filter((line) => /^\d/.test(line))

describe("hero-pds bulk", () => {
  it("resumes a run stopped with Ctrl-C without sending any written row again; the result equals a clean run", async () => {
    const patients = syntheticPatients(24, 500)
    const dir = tempDir()
    const input = Path.join(dir, "in.csv")
    const rows = patients.map((p) => [p.nhsNumber, p.dob.split("-").reverse().join("/")])
    rows.splice(5, 0, ["not a number", "2000-01-01"])
    Fs.writeFileSync(input, csvOf(["nhs_number", "dob"], rows))

    // The reference: one uninterrupted run against its own sandbox, without a rate limit.
    const reference = await sandbox(patients, { rateLimit: false })
    const clean = await heroPds(["bulk", input, "--out", Path.join(dir, "clean.csv")], reference.env)
    expect(clean.code).toBe(0)

    const limited = await sandbox(patients, { rateLimit: { requestsPerSecond: 5, burst: 5 } })
    const output = Path.join(dir, "out.csv")
    const first = await heroPds(["bulk", input, "--out", output, "--rate", "5"], limited.env, (child) => {
      const poll = setInterval(() => {
        if (Fs.existsSync(output) && dataRows(output).length >= 6) {
          clearInterval(poll)
          child.kill("SIGINT")
        }
      }, 20)
      cleanups.push(() => clearInterval(poll))
    })
    expect(first.code).toBe(130)
    expect(first.stderr).toContain("SIGINT: sending no more rows")
    expect(first.stdout).toContain("Stopped early")
    const written = dataRows(output).length
    expect(written).toBeGreaterThanOrEqual(6)
    expect(written).toBeLessThan(25)
    // Every row sent before the stop was finished and written.
    expect(limited.proxy.seen.size).toBe(written - 1) // one invalid row was never sent

    const second = await heroPds(["bulk", input, "--out", output, "--rate", "5"], limited.env)
    expect(second.code).toBe(0)
    expect(second.stderr).toContain(`resuming: ${written} already done`)
    expect(second.stdout).toContain(`25/25 rows are in ${output} (${written} from an earlier run`)
    expect(second.stdout).toMatch(/registered\s+24/)
    expect(second.stdout).toContain("InvalidInput: 1")
    expect(Fs.readFileSync(output, "utf8")).toBe(Fs.readFileSync(Path.join(dir, "clean.csv"), "utf8"))
    for (const patient of patients) expect(limited.proxy.answered(patient.nhsNumber)).toBe(1)
    expect(limited.proxy.count429()).toBe(0)
    for (const run of [clean, first, second]) expectNoPatientData(run, patients)
  })

  it("exits 2 for usage errors and unusable files, naming the line of malformed CSV", async () => {
    const dir = tempDir()
    const input = Path.join(dir, "in.csv")
    Fs.writeFileSync(input, "nhs_number,dob\r\n9000000009,2010-10-22\r\n9434765919,\"1992-01-01\r\n")
    const out = Path.join(dir, "out.csv")
    const malformed = await heroPds(["bulk", input, "--out", out], {})
    expect(malformed.code).toBe(2)
    expect(malformed.stderr).toContain("line 3")
    expect(malformed.stderr).not.toContain("9434765919")
    expect((await heroPds(["bulk", input], {})).code).toBe(2)
    expect((await heroPds(["bulk", input, "--out", out, "--concurrency", "0"], {})).code).toBe(2)
    expect((await heroPds(["bulk", input, "--out", input], {})).code).toBe(2)
    expect((await heroPds(["bulk", Path.join(dir, "missing.csv"), "--out", out], {})).code).toBe(2)
  })

  it("exits 5 without writing rows when Hero refuses the key", async () => {
    const patients = syntheticPatients(3, 700)
    const { env } = await sandbox(patients, { rateLimit: false })
    const dir = tempDir()
    const input = Path.join(dir, "in.csv")
    Fs.writeFileSync(input, csvOf(["nhs_number", "dob"], patients.map((p) => [p.nhsNumber, p.dob])))
    const out = Path.join(dir, "out.csv")
    const run = await heroPds(["bulk", input, "--out", out], { ...env, HERO_API_KEY: "wrong" })
    expect(run.code).toBe(5)
    expect(run.stdout).toContain("Stopped at row 1: Unauthorized")
    expect(dataRows(out)).toEqual([])
  })
})
