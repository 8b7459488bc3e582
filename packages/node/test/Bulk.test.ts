import { afterEach, describe, expect, it } from "@effect/vitest"
import * as HeroConfig from "@hero-pds/core/HeroConfig"
import * as NodeSandboxServer from "@hero-pds/sandbox/NodeSandboxServer"
import * as Sandbox from "@hero-pds/sandbox/Sandbox"
import * as SandboxPatients from "@hero-pds/sandbox/SandboxPatients"
import { parse } from "csv-parse/sync"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Bulk from "../src/Bulk.js"
import * as NodeHeroClient from "../src/NodeHeroClient.js"
import { countingProxy, csvOf, syntheticPatients } from "./utils/bulk.js"

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const tempDir = () => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "hero-bulk-"))
  cleanups.push(() => Fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A sandbox over HTTP with a counting proxy in front, and a client layer for it. */
const served = async (options: NodeSandboxServer.Options, client: HeroConfig.Options = {}) => {
  const server = await NodeSandboxServer.start(options)
  cleanups.push(() => server.close())
  const proxy = await countingProxy(server.url)
  cleanups.push(() => proxy.close())
  return {
    proxy,
    layer: clientLayer({ environment: "sandbox", baseUrl: proxy.url, retryInitialDelayMs: 5, ...client })
  }
}

/** The client and its configuration, as `Bulk.run` needs them. */
const clientLayer = (options: HeroConfig.Options) =>
  Layer.provideMerge(
    NodeHeroClient.layerWithoutConfig,
    Layer.effect(HeroConfig.HeroConfig, HeroConfig.make(options, undefined, Sandbox.heroConfigDefaults))
  )

const readOutput = (path: string): Array<Array<string>> =>
  parse(Fs.readFileSync(path), { bom: true, relax_column_count: true })

const run = (layer: ReturnType<typeof clientLayer>, options: Bulk.Options) =>
  Effect.runPromise(Effect.provide(Bulk.run(options), layer))

describe("Bulk.run against the sandbox over HTTP (5 requests/s, burst 5)", () => {
  it("processes every row exactly once and in input order, reporting the invalid rows", async () => {
    const patients = syntheticPatients(12)
    const { layer, proxy } = await served({
      patients: [...SandboxPatients.all, ...patients],
      rateLimit: { requestsPerSecond: 5, burst: 5 }
    }, {
      maxRequestsPerSecond: 5
    })
    const dir = tempDir()
    const input = Path.join(dir, "in.csv")
    const output = Path.join(dir, "out.csv")
    const rows = patients.map((p) => [p.nhsNumber, p.dob])
    rows.splice(3, 0, ["1234567890", "2010-10-22"]) // bad check digit
    rows.splice(7, 0, [patients[0]!.nhsNumber, "31/02/2001"]) // no such date
    rows.splice(9, 0, ["", ""])
    rows.push(["9000000017", "14/03/1985"], [SandboxPatients.unknownNhsNumber, "2000-01-01"])
    Fs.writeFileSync(input, csvOf(["nhs_number", "dob"], rows))

    const summary = await run(layer, { input, output, concurrency: 4 })
    const out = readOutput(output)
    expect(out[0]).toEqual([...Bulk.outputHeader])
    // `,` rows (all fields empty) are not rows to register, but they are numbered, as a spreadsheet shows them.
    expect(summary).toMatchObject({ total: 16, done: 16, processed: 16, ending: { _tag: "Completed" } })
    expect(out.slice(1).map((row) => row[0])).toEqual(
      Array.from({ length: 17 }, (_, i) => String(i + 1)).filter((row) => row !== "10")
    )
    expect(out[4]).toEqual(["4", "1234567890", "2010-10-22", "error", "", "", "InvalidInput", ""])
    expect(out[8]).toEqual(["8", patients[0]!.nhsNumber, "31/02/2001", "error", "", "", "InvalidInput", ""])
    expect(out[1]).toEqual([
      "1",
      patients[0]!.nhsNumber,
      patients[0]!.dob,
      "registered",
      String(SandboxPatients.patientIdOf(patients[0]!)),
      "",
      "",
      ""
    ])
    expect(out[15]).toEqual([
      "16",
      "9000000017",
      "1985-03-14",
      "verification_required",
      "",
      expect.stringMatching(/^https:/),
      "",
      ""
    ])
    expect(out[16]).toEqual([
      "17",
      SandboxPatients.unknownNhsNumber,
      "2000-01-01",
      "error",
      "",
      "",
      "PatientNotFound",
      "404"
    ])
    expect(summary.counts).toEqual({
      registered: 12,
      verification_required: 1,
      error: 3,
      errors: { InvalidInput: 2, PatientNotFound: 1 }
    })
    expect(summary.invalidRows.map((row) => [row.row, row.issues.map((issue) => issue.path)])).toEqual([
      [4, ["nhsNumber"]],
      [8, ["dob"]]
    ])
    // Every valid row was answered exactly once; invalid rows were never sent; the client kept to the limit.
    for (const patient of patients) expect(proxy.answered(patient.nhsNumber)).toBe(1)
    expect(proxy.seen.has("1234567890")).toBe(false)
    expect(proxy.count429()).toBe(0)
  })

  it("reads a CSV with a BOM, CRLF, quotes and extra columns end to end, tracing demographic rows", async () => {
    const { layer } = await served({ rateLimit: { requestsPerSecond: 5, burst: 5 } })
    const dir = tempDir()
    const input = Path.join(dir, "in.csv")
    const output = Path.join(dir, "out.csv")
    Fs.writeFileSync(
      input,
      "\uFEFF Surname ,Forename,\"notes, free text\",DOB,Postcode,NHS Number\r\n" +
        "\"Smith\",Jane,\"said \"\"hello\"\"\r\non two lines\",22/10/2010,ls1 6ae,900 000 0009\r\n" +
        "\r\n" +
        "Smith,\"Jane\",,09/07/1985,\"sw1a 1aa\",\r\n" +
        "Nobody,Nemo,\"a,b\",2001-01-01,LS1 6AE,\r\n"
    )
    const summary = await run(layer, { input, output })
    expect(summary.ending).toEqual({ _tag: "Completed" })
    const out = readOutput(output)
    // The other columns follow the contract's, as they were; the blank line is row 2.
    expect(out[0]).toEqual([...Bulk.outputHeader, " Surname ", "Forename", "notes, free text", "Postcode"])
    expect(out.slice(1)).toEqual([
      [
        "1",
        "9000000009",
        "2010-10-22",
        "registered",
        "98765",
        "",
        "",
        "",
        "Smith",
        "Jane",
        "said \"hello\"\r\non two lines",
        "ls1 6ae"
      ],
      ["3", "", "1985-07-09", "registered", "131071", "", "", "", "Smith", "Jane", "", "sw1a 1aa"],
      ["4", "", "2001-01-01", "error", "", "", "PatientNotFound", "404", "Nobody", "Nemo", "a,b", "LS1 6AE"]
    ])
  })

  it("resumes after a crash: a cut-off last line is redone and no written row is sent again", async () => {
    const patients = syntheticPatients(10, 100)
    const { layer, proxy } = await served({ patients, rateLimit: false })
    const dir = tempDir()
    const input = Path.join(dir, "in.csv")
    const output = Path.join(dir, "out.csv")
    Fs.writeFileSync(input, csvOf(["dob", "nhs_number"], patients.map((p) => [p.dob, p.nhsNumber])))
    await run(layer, { input, output, concurrency: 3 })
    const complete = Fs.readFileSync(output, "utf8")
    // A crash after row 6 was half written.
    const lines = complete.split("\r\n")
    Fs.writeFileSync(output, lines.slice(0, 7).join("\r\n") + "\r\n" + lines[7]!.slice(0, 9))
    proxy.seen.clear()
    const summary = await run(layer, { input, output, concurrency: 3 })
    expect(summary).toMatchObject({ resumed: 6, processed: 4, done: 10, ending: { _tag: "Completed" } })
    expect(summary.counts.registered).toBe(10)
    expect(Fs.readFileSync(output, "utf8")).toBe(complete)
    expect(patients.slice(0, 6).every((p) => !proxy.seen.has(p.nhsNumber))).toBe(true)
    expect(patients.slice(6).map((p) => proxy.answered(p.nhsNumber))).toEqual([1, 1, 1, 1])

    // Run again: everything is done, nothing is sent.
    proxy.seen.clear()
    const again = await run(layer, { input, output })
    expect(again).toMatchObject({ resumed: 10, processed: 0, ending: { _tag: "Completed" } })
    expect(proxy.seen.size).toBe(0)
  })

  it("stops sending when asked, finishing and writing the rows in flight; a re-run completes the file", async () => {
    const patients = syntheticPatients(30, 200)
    const { layer, proxy } = await served({ patients, rateLimit: false }, { maxRequestsPerSecond: 40 })
    const dir = tempDir()
    const input = Path.join(dir, "in.csv")
    const output = Path.join(dir, "out.csv")
    Fs.writeFileSync(input, csvOf(["nhs_number", "dob"], patients.map((p) => [p.nhsNumber, p.dob])))
    const first = await run(layer, { input, output, concurrency: 4, stop: Effect.sleep("250 millis") })
    expect(first.ending).toEqual({ _tag: "Interrupted" })
    expect(first.done).toBeGreaterThan(0)
    expect(first.done).toBeLessThan(30)
    // Every request sent was for a row now written: nothing in flight was dropped.
    expect(proxy.seen.size).toBe(first.done)
    const second = await run(layer, { input, output, concurrency: 4 })
    expect(second).toMatchObject({ resumed: first.done, done: 30, ending: { _tag: "Completed" } })
    for (const patient of patients) expect(proxy.answered(patient.nhsNumber)).toBe(1)
  })

  it("stops at once when Hero refuses the credentials, writing nothing from that row on", async () => {
    const patients = syntheticPatients(6, 300)
    const server = await NodeSandboxServer.start({ patients, rateLimit: false })
    cleanups.push(() => server.close())
    const dir = tempDir()
    const input = Path.join(dir, "in.csv")
    const output = Path.join(dir, "out.csv")
    Fs.writeFileSync(input, csvOf(["nhs_number", "dob"], patients.map((p) => [p.nhsNumber, p.dob])))
    const summary = await run(
      clientLayer({ environment: "sandbox", baseUrl: server.url, apiKey: "wrong-key" }),
      { input, output }
    )
    expect(summary.ending).toMatchObject({ _tag: "HeroFailed", row: 1, error: "Unauthorized", status: 401 })
    expect(summary.done).toBe(0)
    expect(readOutput(output)).toEqual([[...Bulk.outputHeader]])
  })

  it("stops after a streak of temporary failures without writing them, so a re-run retries those rows", async () => {
    const patients = syntheticPatients(8, 400)
    const status503 = { _tag: "Status", status: 503 } as const
    const { layer, proxy } = await served(
      // Row 1 succeeds, then every attempt of rows 2 and 3 fails (2 attempts each), then all is well.
      { patients, rateLimit: false, faults: { script: [Fault.none, status503, status503, status503, status503] } },
      { maxRetries: 1, retryMaxDelayMs: 5 }
    )
    const dir = tempDir()
    const input = Path.join(dir, "in.csv")
    const output = Path.join(dir, "out.csv")
    Fs.writeFileSync(input, csvOf(["nhs_number", "dob"], patients.map((p) => [p.nhsNumber, p.dob])))
    const first = await run(layer, { input, output, concurrency: 1, failureStreak: 2 })
    expect(first.ending).toMatchObject({ _tag: "HeroFailed", row: 2, error: "ServerError", status: 503 })
    expect(first.done).toBe(1)
    const second = await run(layer, { input, output, concurrency: 1, failureStreak: 2 })
    expect(second).toMatchObject({ resumed: 1, done: 8, ending: { _tag: "Completed" } })
    expect(second.counts).toMatchObject({ registered: 8, error: 0 })
    expect(proxy.answered(patients[0]!.nhsNumber)).toBe(1)
  })

  it("refuses an input that is not CSV, lacks the columns, or an output that is another file's", async () => {
    const { layer, proxy } = await served({ rateLimit: false })
    const dir = tempDir()
    const output = Path.join(dir, "out.csv")
    const failure = async (input: string, out = output) => {
      const exit = await Effect.runPromise(Effect.either(Effect.provide(Bulk.run({ input, output: out }), layer)))
      return Either.flip(exit).pipe(Either.getOrThrow)
    }
    const malformed = Path.join(dir, "malformed.csv")
    Fs.writeFileSync(malformed, "nhs_number,dob\n9000000009,2010-10-22\n9000000009,\"2010-10-22\n")
    const error = await failure(malformed)
    expect(error).toMatchObject({ reason: "InputMalformed" })
    expect(error.message).toContain("line 3")
    expect(error.message).not.toContain("9000000009")
    expect(Fs.existsSync(output)).toBe(false)

    const noHeader = Path.join(dir, "noheader.csv")
    Fs.writeFileSync(noHeader, "9000000009,2010-10-22\n")
    const missing = await failure(noHeader)
    expect(missing).toMatchObject({ reason: "MissingColumns" })
    expect(missing.message).not.toContain("9000000009")

    expect(await failure(Path.join(dir, "absent.csv"))).toMatchObject({ reason: "InputUnreadable" })

    const good = Path.join(dir, "good.csv")
    Fs.writeFileSync(good, csvOf(["nhs_number", "dob"], [["9000000009", "2010-10-22"]]))
    const someoneElses = Path.join(dir, "theirs.csv")
    Fs.writeFileSync(someoneElses, "name,notes\nkeep,this")
    expect(await failure(good, someoneElses)).toMatchObject({ reason: "OutputMismatch" })
    expect(Fs.readFileSync(someoneElses, "utf8")).toBe("name,notes\nkeep,this")

    // The output of another input with the same number of rows: found before anything is sent.
    const other = Path.join(dir, "other.csv")
    Fs.writeFileSync(other, csvOf(["nhs_number", "dob"], [["9434765919", "1992-01-01"]]))
    await Effect.runPromise(Effect.provide(Bulk.run({ input: good, output }), layer))
    proxy.seen.clear()
    expect(await failure(other)).toMatchObject({ reason: "OutputMismatch" })
    expect(proxy.seen.size).toBe(0)
  })
})

describe("Bulk.run with retryErrors", () => {
  it("sends again exactly the rows whose outcome was a temporary failure, writing them in place", async () => {
    const patients = syntheticPatients(8, 1000)
    const status503 = { _tag: "Status", status: 503 } as const
    // No retries: rows 2 and 5 get a 503 (temporary); row 7 is not found (definitive); the rest pass.
    const { layer, proxy } = await served(
      { patients, rateLimit: false, faults: { script: [Fault.none, status503, Fault.none, Fault.none, status503] } },
      { maxRetries: 0 }
    )
    const dir = tempDir()
    const input = Path.join(dir, "in.csv")
    const output = Path.join(dir, "out.csv")
    const rows = patients.map((p) => [p.nhsNumber, p.dob])
    rows[6] = [SandboxPatients.unknownNhsNumber, "2000-01-01"]
    Fs.writeFileSync(input, csvOf(["nhs_number", "dob"], rows))
    const first = await run(layer, { input, output, concurrency: 1 })
    expect(first.counts.errors).toEqual({ ServerError: 2, PatientNotFound: 1 })
    const before = readOutput(output)
    expect(before.map((row) => row[6])).toEqual([
      "error",
      "",
      "ServerError",
      "",
      "",
      "ServerError",
      "",
      "PatientNotFound",
      ""
    ])

    proxy.seen.clear()
    const again = await run(layer, { input, output, concurrency: 1, retryErrors: true })
    expect(again).toMatchObject({ toRetry: 2, retried: 2, done: 8, ending: { _tag: "Completed" } })
    expect(again.counts).toEqual({ registered: 7, verification_required: 0, error: 1, errors: { PatientNotFound: 1 } })
    // Only rows 2 and 5 were sent, each once; every other line is as it was.
    expect([...proxy.seen.keys()].sort()).toEqual([patients[1]!.nhsNumber, patients[4]!.nhsNumber].sort())
    const after = readOutput(output)
    expect(after.map((row, i) => (i === 2 || i === 5 ? "changed" : row))).toEqual(
      before.map((row, i) => (i === 2 || i === 5 ? "changed" : row))
    )
    expect([after[2]![3], after[5]![3]]).toEqual(["registered", "registered"])

    // Without the flag, nothing is sent again.
    proxy.seen.clear()
    await run(layer, { input, output })
    expect(proxy.seen.size).toBe(0)
  })
})

const Fault = { none: { _tag: "Delay", millis: 0 } as const }
