import { afterEach, describe, expect, it } from "@effect/vitest"
import * as NodeSandboxServer from "@hero-pds/sandbox/NodeSandboxServer"
import * as SandboxPatients from "@hero-pds/sandbox/SandboxPatients"
import { parse } from "csv-parse/sync"
import { stringify } from "csv-stringify/sync"
import { type ChildProcess, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import * as BulkCommand from "../src/internal/bulkCommand.js"
import * as Spacing from "../src/internal/bulkSpacing.js"
import { countingProxy, csvOf, syntheticPatients } from "./utils/bulk.js"
import { scriptedServer } from "./utils/scriptedServer.js"

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

/** Waits until `check` holds, polling every 20 ms. */
const until = (check: () => boolean) =>
  new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (check()) {
        clearInterval(poll)
        resolve()
      }
    }, 20)
    cleanups.push(() => clearInterval(poll))
  })

const nhsDobCsv = (patients: ReadonlyArray<SandboxPatients.Patient>) =>
  csvOf(["nhs_number", "dob"], patients.map((p) => [p.nhsNumber, p.dob]))

describe("hero-pds bulk you can trust with a whole list", () => {
  it("lets one run at a time write an --out: a second process is refused at once and nobody is registered twice", async () => {
    const patients = syntheticPatients(12, 800)
    const { env, proxy } = await sandbox(patients, { rateLimit: false })
    const dir = tempDir()
    const input = Path.join(dir, "in.csv")
    Fs.writeFileSync(input, nhsDobCsv(patients))
    const output = Path.join(dir, "out.csv")
    let second: Run | undefined
    let firstPid: number | undefined
    const first = await heroPds(["bulk", input, "--out", output, "--rate", "6"], env, (child) => {
      firstPid = child.pid
      void until(() => Fs.existsSync(output) && dataRows(output).length >= 1).then(async () => {
        second = await heroPds(["bulk", input, "--out", output, "--rate", "6"], env)
      })
    })
    await until(() => second !== undefined)
    expect(first.code).toBe(0)
    expect(second!.code).toBe(2)
    expect(second!.stderr).toMatch(/is being written by another hero-pds bulk \(process \d+/)
    expect(second!.stderr).toContain(`process ${firstPid}`)
    expect(dataRows(output)).toHaveLength(12)
    for (const patient of patients) expect(proxy.answered(patient.nhsNumber)).toBe(1)
    // The lock went with the first run; a stale one (its process gone) is taken over.
    expect(Fs.existsSync(`${output}.lock`)).toBe(false)
    Fs.writeFileSync(`${output}.lock`, JSON.stringify({ pid: 2 ** 22 + 1, host: Os.hostname(), since: "then" }))
    const third = await heroPds(["bulk", input, "--out", output], env)
    expect(third.code).toBe(0)
    expect(third.stdout).toContain("12/12 rows are in")
    expect(Fs.existsSync(`${output}.lock`)).toBe(false)
  })

  it("refuses to resume a sandbox output against production, saying how to start afresh", async () => {
    const dir = tempDir()
    const input = Path.join(dir, "in.csv")
    Fs.writeFileSync(input, csvOf(["nhs_number", "dob"], [["9000000009", "2010-10-22"], ["9434765919", "1992-01-01"]]))
    const output = Path.join(dir, "out.csv")
    const embedded = await heroPds(["bulk", input, "--out", output], {})
    expect(embedded.code).toBe(0)
    const { env, proxy } = await sandbox([], { rateLimit: false })
    const production = await heroPds(["bulk", input, "--out", output], {
      HERO_ENV: "production",
      HERO_BASE_URL: env.HERO_BASE_URL,
      HERO_API_KEY: "sandbox-api-key",
      HERO_PRACTICE_GROUP_ID: "sandbox-practice-group"
    })
    expect(production.code).toBe(2)
    expect(production.stderr).toContain("holds answers from sandbox")
    expect(production.stderr).toContain("To start afresh")
    expect(proxy.seen.size).toBe(0)
  })

  it("writes every cell safe for a spreadsheet: formulas from the input and from Hero's answers are neutralised", async () => {
    const formulas = [
      "=HYPERLINK(\"http://x\",\"y\")",
      "=cmd|'/C calc'!A0",
      "@SUM(A1)",
      "+1+1",
      "-2+3",
      "\t=2+2",
      "\r=1"
    ]
    // A hostile server answers every request with a formula as the patient id.
    const hostile = await scriptedServer(
      formulas.map((patientId) => ({ status: 200, body: { patient_id: patientId } }))
    )
    cleanups.push(() => hostile.close())
    const dir = tempDir()
    const input = Path.join(dir, "in.csv")
    const valid = syntheticPatients(formulas.length, 900)
    Fs.writeFileSync(
      input,
      stringify([
        ["nhs_number", "dob", "reference"],
        ...valid.map((p, i) => [p.nhsNumber, p.dob, formulas[i]!]),
        ...formulas.map((formula) => [formula, formula, formula])
      ])
    )
    const output = Path.join(dir, "out.csv")
    const run = await heroPds(["bulk", input, "--out", output], {
      HERO_ENV: "sandbox",
      HERO_BASE_URL: hostile.url
    })
    expect(run.code).toBe(0)
    const rows: Array<Array<string>> = parse(Fs.readFileSync(output), { bom: true })
    for (const cell of rows.flat()) expect(cell).not.toMatch(/^[=+\-@\t\r]/)
    // Hero's formulas are refused as unexpected, not written.
    expect(rows.slice(1, 1 + formulas.length).map((row) => [row[3], row[4], row[6]])).toEqual(
      formulas.map(() => ["error", "", "UnexpectedResponse"])
    )
    // The input's are kept, as text.
    expect(rows.slice(1).map((row) => row[8])).toEqual([...formulas, ...formulas].map((formula) => `'${formula}`))
  })
})

describe("hero-pds bulk pacing", () => {
  it("with --rate, after a 429 waits for the answer to the request before (one more interval at most)", async () => {
    // 50 requests per second: 20 ms apart. After the first answers, one request is refused; the next is answered
    // 60 ms late.
    const registered = { status: 200, body: { patient_id: "1" } }
    const refused = Spacing.warmUp + 2
    const server = await scriptedServer([
      ...Array.from({ length: refused }, () => registered),
      { status: 429, headers: { "retry-after-ms": "1" } },
      { ...registered, delayMs: 60 },
      registered
    ])
    cleanups.push(() => server.close())
    const dir = tempDir()
    const input = Path.join(dir, "in.csv")
    Fs.writeFileSync(input, nhsDobCsv(syntheticPatients(refused + 4, 1200)))
    const run = await heroPds(["bulk", input, "--out", Path.join(dir, "out.csv"), "--rate", "50"], {
      HERO_ENV: "sandbox",
      HERO_BASE_URL: server.url
    })
    expect(run.code).toBe(0)
    expect(server.arrivals).toHaveLength(refused + 5)
    // The request after the slow one waited for its answer, two intervals at most: 40 ms after it, not 20.
    expect(server.arrivals[refused + 2]! - server.arrivals[refused + 1]!).toBeGreaterThan(30)
  })
})

describe("hero-pds bulk reads files as spreadsheets save them", () => {
  const jose = { nhsNumber: "", forename: "José", surname: "García", dob: "1985-07-09", postcode: "LS1 6AE" }
  const patients: ReadonlyArray<SandboxPatients.Patient> = [
    ...SandboxPatients.all,
    { ...jose, nhsNumber: syntheticPatients(1, 950)[0]!.nhsNumber, patientId: "JG-1" }
  ]
  /** The rows as Excel would hold them: names, UK dates, the practice's own reference. */
  const sheet = [
    ["Ref", "First Name", "Last Name", "D.O.B.", "Post Code", "NHS No."],
    ["P-1", "José", "García", "09/07/1985", "ls1 6ae", ""],
    ["P-2", "", "", "22/10/2010", "", "900 000 0009"]
  ]
  const utf16 = (text: string, endian: "le" | "be") => {
    const le = Buffer.from(`\uFEFF${text}`, "utf16le")
    return endian === "le" ? le : Buffer.from(le.map((_, i) => le[i ^ 1]!))
  }
  const windows1252 = (text: string) =>
    Buffer.from([...text].map((c) => ({ "é": 0xe9, "í": 0xed })[c] ?? c.charCodeAt(0)))

  it("reads Windows-1252 (--encoding), UTF-16 LE and BE (BOM, tab-separated) and semicolon files with loose headers", async () => {
    const { env, proxy } = await sandbox(patients, { rateLimit: false })
    const dir = tempDir()
    const lines = (delimiter: string) => sheet.map((row) => row.join(delimiter)).join("\r\n") + "\r\n"
    const files: ReadonlyArray<readonly [string, Buffer, ReadonlyArray<string>]> = [
      ["cp1252.csv", windows1252(lines(",")), ["--encoding", "windows-1252"]],
      ["utf16le.txt", utf16(lines("\t"), "le"), []],
      ["utf16be.txt", utf16(lines("\t"), "be"), []],
      ["semicolon.csv", Buffer.from(lines(";"), "utf8"), []]
    ]
    for (const [name, bytes, flags] of files) {
      const input = Path.join(dir, name)
      Fs.writeFileSync(input, bytes)
      const output = Path.join(dir, `${name}.out.csv`)
      const run = await heroPds(["bulk", input, "--out", output, ...flags], env)
      expect(run.code, name).toBe(0)
      const rows: Array<Array<string>> = parse(Fs.readFileSync(output), { bom: true })
      // Registered means the names reached Hero exactly as typed; the other columns are carried as they were.
      expect(rows, name).toEqual([
        [...outputColumns, "Ref", "First Name", "Last Name", "Post Code"],
        ["1", "", "1985-07-09", "registered", "JG-1", "", "", "", "P-1", "José", "García", "ls1 6ae"],
        ["2", "9000000009", "2010-10-22", "registered", "98765", "", "", "", "P-2", "", "", ""]
      ])
    }
    expect(proxy.seen.get("demographics")).toEqual([200, 200, 200, 200])
  })

  it("refuses a file that is not UTF-8 without --encoding, naming the line and the flag", async () => {
    const dir = tempDir()
    const input = Path.join(dir, "in.csv")
    Fs.writeFileSync(input, windows1252(sheet.map((row) => row.join(",")).join("\r\n")))
    const run = await heroPds(["bulk", input, "--out", Path.join(dir, "out.csv")], {})
    expect(run.code).toBe(2)
    expect(run.stderr).toContain("line 2: the file is not valid UTF-8")
    expect(run.stderr).toContain("--encoding windows-1252")
    expect(run.stderr).not.toContain("Garc")
  })

  it("refuses a header naming one field twice, and a file of US dates, naming the columns or the row", async () => {
    const dir = tempDir()
    const twice = Path.join(dir, "twice.csv")
    Fs.writeFileSync(twice, "NHS Number,DOB,Date of birth\r\n9000000009,22/10/2010,22/10/2010\r\n")
    const ambiguous = await heroPds(["bulk", twice, "--out", Path.join(dir, "a.csv")], {})
    expect(ambiguous.code).toBe(2)
    expect(ambiguous.stderr).toContain("the columns \"DOB\" and \"Date of birth\" both look like dob")
    const us = Path.join(dir, "us.csv")
    // 01/02/1992 alone could be either; 12/25/1990 can only be month first, so the whole file is.
    Fs.writeFileSync(us, csvOf(["nhs_number", "dob"], [["9434765919", "01/02/1992"], ["9000000009", "12/25/1990"]]))
    const { env, proxy } = await sandbox(patients, { rateLimit: false })
    const refused = await heroPds(["bulk", us, "--out", Path.join(dir, "us.out.csv")], env)
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("row 2 has a date of birth that can only be month first")
    expect(refused.stderr).not.toContain("12/25/1990")
    expect(proxy.seen.size).toBe(0)
  })
})

const outputColumns = ["row", "nhs_number", "dob", "outcome", "patient_id", "login_url", "error", "status"]

describe("hero-pds bulk shutdown", () => {
  it("exits 143 within the grace period on SIGTERM against a server that never answers, leaving the rows for resume", async () => {
    // A server that takes requests and never answers them.
    const hung = await scriptedServer(["stall-body"])
    cleanups.push(() => hung.close())
    const patients = syntheticPatients(6, 1100)
    const dir = tempDir()
    const input = Path.join(dir, "in.csv")
    Fs.writeFileSync(input, nhsDobCsv(patients))
    const output = Path.join(dir, "out.csv")
    let signalled = 0
    const run = await heroPds(
      ["bulk", input, "--out", output, "--concurrency", "2"],
      { HERO_ENV: "sandbox", HERO_BASE_URL: hung.url, HERO_TIMEOUT_MS: "60000" },
      (child) => {
        void until(() => hung.arrivals.length >= 2).then(() => {
          signalled = performance.now()
          child.kill("SIGTERM")
        })
      }
    )
    const tookMs = performance.now() - signalled
    expect(run.code).toBe(143)
    expect(tookMs).toBeLessThan(BulkCommand.gracePeriodMs + 2000)
    expect(run.stderr).toContain("SIGTERM: sending no more rows")
    expect(run.stdout).toContain("Stopped early: 6 rows not done yet")
    expect(dataRows(output)).toEqual([])
    expect(Fs.existsSync(`${output}.lock`)).toBe(false)
  })
})
