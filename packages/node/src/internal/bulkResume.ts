/** Reads what earlier runs wrote to an output, so a run goes on where they stopped. */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Fs from "node:fs"
import { BulkError } from "./bulkError.js"
import * as Rows from "./bulkRows.js"
import * as Csv from "./csv.js"
import { describeFsError } from "./files.js"

/** How many rows ended each way: by outcome, and the errors by `_tag`. */
export interface Tally {
  registered: number
  verification_required: number
  error: number
  errors: Record<string, number>
}

export const emptyTally = (): Tally => ({ registered: 0, verification_required: 0, error: 0, errors: {} })

export const count = (tally: Tally, outcome: string, error: string, by = 1): void => {
  if (outcome === "registered" || outcome === "verification_required" || outcome === "error") tally[outcome] += by
  if (error !== "") {
    const n = (tally.errors[error] ?? 0) + by
    if (n === 0) delete tally.errors[error]
    else tally.errors[error] = n
  }
}

/** The output as earlier runs left it. */
export interface Resumed {
  /** Whether the output has its header (else it is written first). */
  readonly hasHeader: boolean
  /** Whether it starts with a UTF-8 byte order mark. */
  readonly bom: boolean
  /** The input row number of each output row, in order. */
  readonly rows: ReadonlyArray<number>
  /** The fingerprint of each output row's `nhs_number` and `dob` cells. */
  readonly fingerprints: ReadonlyArray<number>
  readonly tally: Tally
  /** Rows whose outcome was a temporary failure, to send again (only when asked to), with their `error` tag. */
  readonly retry: ReadonlyMap<number, string>
  /** The byte length of the complete rows: anything after is a row cut short by a crash, and is dropped. */
  readonly keepBytes: number
}

const fresh = (): Resumed => ({
  hasHeader: false,
  bom: false,
  rows: [],
  fingerprints: [],
  tally: emptyTally(),
  retry: new Map(),
  keepBytes: 0
})

/**
 * Reads an output written for an input with this header. Refuses (`OutputMismatch`) a file that is not such an
 * output; a last row cut short by a crash is dropped.
 */
export const resume = (
  input: string,
  output: string,
  header: ReadonlyArray<string>,
  retryErrors: boolean
): Effect.Effect<Resumed, BulkError> =>
  Effect.gen(function*() {
    const stat = yield* Effect.try({
      try: () => Fs.statSync(output, { throwIfNoEntry: false }),
      catch: (error) =>
        new BulkError({ reason: "OutputUnwritable", message: `Cannot use ${output}: ${describeFsError(error)}` })
    })
    if (stat === undefined || stat.size === 0) return fresh()
    const mismatch = (where: string) =>
      new BulkError({
        reason: "OutputMismatch",
        message: `${output} exists but is not ${input}'s bulk output (${where}). ` +
          "Use another --out, or move that file away to start again."
      })
    if (!stat.isFile()) return yield* Effect.fail(mismatch("it is not a file"))
    const bom = yield* Effect.try({
      try: () => {
        const fd = Fs.openSync(output, "r")
        try {
          const head = Buffer.alloc(3)
          Fs.readSync(fd, head, 0, 3, 0)
          return head.toString("utf8") === Csv.utf8Bom
        } finally {
          Fs.closeSync(fd)
        }
      },
      catch: (error) =>
        new BulkError({ reason: "OutputUnwritable", message: `Cannot read ${output}: ${describeFsError(error)}` })
    })
    const rows: Array<number> = []
    const fingerprints: Array<number> = []
    const retry = new Map<number, string>()
    const tally = emptyTally()
    let hasHeader = false
    let keepBytes = 0
    const cutShort = !readFrom(output, stat.size - 1, 1).endsWith("\n")
    const take = (record: Csv.Row): Effect.Effect<void, BulkError> => {
      // A last record with no line break after it is a row cut short by a crash: it is dropped.
      if (record.end === stat.size && cutShort) return Effect.void
      if (!hasHeader) {
        if (record.fields.join(",") !== header.join(",")) return Effect.fail(mismatch("its header differs"))
        hasHeader = true
        keepBytes = record.end
        return Effect.void
      }
      const fields = record.fields
      const row = Number(fields[0])
      const outcome = fields[3] ?? ""
      if (
        fields.length !== header.length || !/^[1-9]\d*$/.test(fields[0]!) || row <= (rows.at(-1) ?? 0) ||
        !Rows.outcomes.has(outcome)
      ) {
        return Effect.fail(mismatch(`its row ${rows.length + 1} is not one bulk writes`))
      }
      const error = fields[6]!
      rows.push(row)
      fingerprints.push(Rows.fingerprint(fields[1]!, fields[2]!))
      count(tally, outcome, error)
      if (retryErrors && Rows.isTemporaryTag(error)) retry.set(row, error)
      keepBytes = record.end
      return Effect.void
    }
    yield* Csv.records(output, { encoding: "utf-8", bom, delimiter: "," }).pipe(
      Stream.runForEach(take),
      // A quote left open at the very end is a row cut short too; any other problem is not bulk's writing.
      Effect.catchIf((error) => error instanceof Csv.CsvError && error.unclosedQuote === true, () => Effect.void),
      Effect.mapError((error) =>
        error instanceof BulkError
          ? error
          : error instanceof Csv.CsvError
          ? mismatch(error.message)
          : new BulkError({ reason: "OutputUnwritable", message: `Cannot read ${output}: ${describeFsError(error)}` })
      )
    )
    // Only ever drop what could be the start of a line bulk writes, never someone's data.
    if (stat.size > keepBytes) {
      const cut = readFrom(output, keepBytes, Math.min(stat.size - keepBytes, 1024))
      const expected = (bom ? Csv.utf8Bom : "") + Csv.format([header])
      if (hasHeader ? !/^\d/.test(cut) : !expected.startsWith(cut)) {
        return yield* Effect.fail(mismatch("it ends in a line bulk did not write"))
      }
    }
    return { hasHeader, bom, rows, fingerprints, tally, retry, keepBytes }
  })

const readFrom = (path: string, position: number, length: number): string => {
  const fd = Fs.openSync(path, "r")
  try {
    const buffer = Buffer.alloc(length)
    return buffer.subarray(0, Fs.readSync(fd, buffer, 0, length, position)).toString("utf8")
  } finally {
    Fs.closeSync(fd)
  }
}
