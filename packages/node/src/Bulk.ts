/**
 * Bulk registration from a CSV file (the engine of `hero-pds bulk`): reads the input as a stream, validates each
 * row locally, registers the valid rows through the `HeroClient` in context (so its rate, concurrency limit and
 * shared cooldown apply), and appends one output row per input row, in input order, to a file that survives
 * crashes and resumes: re-running with the same output never registers a row that is already written there.
 *
 * @since 0.1.0
 */
import * as HeroClient from "@hero-pds/core/HeroClient"
import type * as HeroError from "@hero-pds/core/HeroError"
import * as Outcome from "@hero-pds/core/Outcome"
import type * as RegisterPds from "@hero-pds/core/RegisterPds"
import type * as Chunk from "effect/Chunk"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Fs from "node:fs"
import * as Csv from "./Csv.js"
import * as Rows from "./internal/bulkRows.js"
import * as internalCsv from "./internal/csv.js"
import { describeFsError, readBytes } from "./internal/files.js"

/**
 * The output's columns: `row,nhs_number,dob,outcome,patient_id,login_url,error,status`.
 *
 * @since 0.1.0
 */
export const outputHeader: ReadonlyArray<string> = Rows.outputHeader

/**
 * Why a bulk run could not start or go on. The message names files and line or row numbers, never patient data.
 * - `InputUnreadable`: the input cannot be opened or read;
 * - `InputMalformed`: the input is not valid CSV (the message names the line);
 * - `MissingColumns`: the header names neither `nhs_number,dob` nor `forename,surname,dob,postcode`;
 * - `OutputMismatch`: the output exists but is not this input's bulk output (another file, or edited);
 * - `OutputUnwritable`: the output cannot be written.
 *
 * @since 0.1.0
 * @category errors
 */
export class BulkError extends Data.TaggedError("BulkError")<{
  readonly reason: "InputUnreadable" | "InputMalformed" | "MissingColumns" | "OutputMismatch" | "OutputUnwritable"
  readonly message: string
}> {}

/**
 * How many rows ended each way: by outcome, and the errors by `_tag`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Counts {
  readonly registered: number
  readonly verification_required: number
  readonly error: number
  readonly errors: Readonly<Record<string, number>>
}

/**
 * Where a run is: `done` rows of `total` are in the output, `resumed` of them from an earlier run.
 *
 * @since 0.1.0
 * @category models
 */
export interface Progress {
  /** Data rows in the input (blank lines and all-empty records are not rows). */
  readonly total: number
  /** Rows in the output. */
  readonly done: number
  /** Rows that were already in the output when this run started. */
  readonly resumed: number
  /** The outcomes of all `done` rows. */
  readonly counts: Counts
}

/**
 * How a run ended:
 * - `Completed`: every input row has its output row;
 * - `Interrupted`: `stop` or `abort` ended it early; re-running resumes;
 * - `HeroFailed`: Hero refused the credentials (`Unauthorized`/`Forbidden`, at once), or kept failing
 *   (`RateLimited`/`ServerError`/`TransportError` on `failureStreak` rows in a row, after each row's retries):
 *   the run stopped at `row`, which is not written (nor any after it), so re-running resumes there.
 *
 * @since 0.1.0
 * @category models
 */
export type Ending =
  | { readonly _tag: "Completed" }
  | { readonly _tag: "Interrupted" }
  | {
    readonly _tag: "HeroFailed"
    readonly row: number
    readonly error: HeroError.Tag
    readonly status?: number | undefined
    readonly message: string
  }

/**
 * A row of this run that failed local validation: its number and what is wrong with each field (never the value).
 *
 * @since 0.1.0
 * @category models
 */
export interface InvalidRow {
  readonly row: number
  readonly issues: ReadonlyArray<HeroError.FieldIssue>
}

/**
 * The end of a run.
 *
 * @since 0.1.0
 * @category models
 */
export interface Summary extends Progress {
  /** Rows written by this run. */
  readonly processed: number
  /** The first invalid rows of this run (at most 20), to explain the `InvalidInput` rows. */
  readonly invalidRows: ReadonlyArray<InvalidRow>
  readonly ending: Ending
  /** Milliseconds this run took. */
  readonly elapsedMs: number
}

/**
 * Options of {@link run}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The CSV to read: a header with `nhs_number,dob` or `forename,surname,dob,postcode`. */
  readonly input: string
  /** The CSV to write or resume. */
  readonly output: string
  /** Rows registered at once (default 4). */
  readonly concurrency?: number | undefined
  /** When this completes, no further row is sent; rows in flight finish and are written. */
  readonly stop?: Effect.Effect<void> | undefined
  /** When this completes, rows in flight are abandoned (not written: a re-run does them again). */
  readonly abort?: Effect.Effect<void> | undefined
  /** Called once the input is counted and the output resumed, then after every write. */
  readonly onProgress?: ((progress: Progress) => void) | undefined
  /** How often written rows are forced to disk (`fdatasync`), in milliseconds (default 1000), and at the end. */
  readonly syncIntervalMs?: number | undefined
  /** Rows in a row that end in a temporary Hero failure before the run stops (default the larger of 10 and
   * twice the concurrency). Fewer are written as `error` rows, like any other outcome. */
  readonly failureStreak?: number | undefined
}

/** Ends the stream of rows early (caught inside `run`). */
const halt = { _tag: "Halt" } as const

const inputError = (input: string) => (error: unknown) =>
  new BulkError({ reason: "InputUnreadable", message: `Cannot read ${input}: ${describeFsError(error)}` })

const records = (input: string) =>
  Csv.decode()(Csv.decodeUtf8(readBytes(input, inputError(input)))).pipe(
    Stream.mapError((error) =>
      error._tag === "CsvError"
        ? new BulkError({ reason: "InputMalformed", message: `${input}: ${error.message}` })
        : error
    )
  )

const missingColumns = (input: string) =>
  new BulkError({
    reason: "MissingColumns",
    message: `${input}: the first line must be a header naming the columns nhs_number and dob, ` +
      "or forename, surname, dob and postcode (in any order; other columns are ignored)"
  })

/** The first pass: the columns, and how many data rows there are. Also finds malformed CSV before any request. */
const scan = (input: string) =>
  Effect.gen(function*() {
    let columns: Rows.Columns | undefined
    let header = true
    let total = 0
    yield* Stream.runForEach(records(input), (record) => {
      if (header) {
        header = false
        columns = Rows.columnsOf(record.fields)
        return columns === undefined ? Effect.fail(missingColumns(input)) : Effect.void
      }
      if (!Rows.isBlank(record.fields)) total++
      return Effect.void
    })
    if (columns === undefined) return yield* Effect.fail(missingColumns(input))
    return { columns, total }
  })

interface Tally {
  registered: number
  verification_required: number
  error: number
  errors: Record<string, number>
}

const emptyTally = (): Tally => ({ registered: 0, verification_required: 0, error: 0, errors: {} })

const count = (tally: Tally, outcome: string, error: string) => {
  if (outcome === "registered" || outcome === "verification_required" || outcome === "error") tally[outcome]++
  if (error !== "") tally.errors[error] = (tally.errors[error] ?? 0) + 1
}

const snapshot = (tally: Tally): Counts => ({ ...tally, errors: { ...tally.errors } })

interface Resumed {
  readonly exists: boolean
  /** Whether the output has its header (else it is written first). */
  readonly hasHeader: boolean
  readonly done: number
  readonly fingerprints: Array<number>
  readonly tally: Tally
  /** The byte length of the complete rows: anything after is a row cut short by a crash, and is dropped. */
  readonly keepBytes: number
}

const headerLine = internalCsv.formatRecord(Rows.outputHeader)

/** Reads what an earlier run wrote. The file is read as latin1, so character offsets are byte offsets. */
const resume = (input: string, output: string): Effect.Effect<Resumed, BulkError> =>
  Effect.gen(function*() {
    const fresh: Resumed = {
      exists: false,
      hasHeader: false,
      done: 0,
      fingerprints: [],
      tally: emptyTally(),
      keepBytes: 0
    }
    const stat = yield* Effect.try({
      try: () => Fs.statSync(output, { throwIfNoEntry: false }),
      catch: (error) =>
        new BulkError({ reason: "OutputUnwritable", message: `Cannot use ${output}: ${describeFsError(error)}` })
    })
    if (stat === undefined) return fresh
    const mismatch = (where: string) =>
      new BulkError({
        reason: "OutputMismatch",
        message: `${output} exists but is not ${input}'s bulk output (${where}). ` +
          "Use another --out, or move that file away to start again."
      })
    if (!stat.isFile()) return yield* Effect.fail(mismatch("it is not a file"))
    const parser = new internalCsv.Parser()
    const fingerprints: Array<number> = []
    const tally = emptyTally()
    let hasHeader = false
    let done = 0
    let keepBytes = 0
    const take = (record: internalCsv.ParsedRecord): Effect.Effect<void, BulkError> => {
      if (!record.terminated) return Effect.void
      if (!hasHeader) {
        if (record.fields.join(",") !== Rows.outputHeader.join(",")) return Effect.fail(mismatch("its header differs"))
        hasHeader = true
        keepBytes = record.end
        return Effect.void
      }
      const fields = record.fields.map((field) => Buffer.from(field, "latin1").toString("utf8"))
      const row = done + 1
      if (
        fields.length !== Rows.outputHeader.length || fields[0] !== String(row) ||
        !(Rows.outcomes as ReadonlyArray<string>).includes(fields[3]!)
      ) {
        return Effect.fail(mismatch(`its row ${row} is not one bulk writes`))
      }
      done = row
      fingerprints.push(Rows.fingerprint(fields[1]!, fields[2]!))
      count(tally, fields[3]!, fields[6]!)
      keepBytes = record.end
      return Effect.void
    }
    yield* Stream.runForEach(
      readBytes(
        output,
        (error) =>
          new BulkError({ reason: "OutputUnwritable", message: `Cannot read ${output}: ${describeFsError(error)}` })
      ),
      (bytes) => {
        const result = parser.feed(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1"))
        return Array.isArray(result)
          ? Effect.forEach(result, take, { discard: true })
          : Effect.fail(mismatch(`line ${result.line} is not valid CSV`))
      }
    )
    // A quote left open at the end, or a last line with no line break, is a row cut short: it is dropped.
    const tail = parser.end()
    if (Array.isArray(tail)) yield* Effect.forEach(tail, take, { discard: true })
    // Only ever drop what could be the start of the next line bulk would have written, never someone's data.
    if (stat.size > keepBytes) {
      const expected = hasHeader ? `${done + 1},` : headerLine
      const cut = yield* Effect.sync(() => {
        const fd = Fs.openSync(output, "r")
        try {
          const buffer = Buffer.alloc(Math.min(expected.length, stat.size - keepBytes))
          Fs.readSync(fd, buffer, 0, buffer.length, keepBytes)
          return buffer.toString("latin1")
        } finally {
          Fs.closeSync(fd)
        }
      })
      if (!expected.startsWith(cut)) return yield* Effect.fail(mismatch("it ends in a line bulk did not write"))
    }
    return { exists: true, hasHeader, done, fingerprints, tally, keepBytes }
  })

/** The output file: appends whole rows, and forces them to disk every `syncIntervalMs` and when closed. */
const openOutput = (output: string, resumed: Resumed, syncIntervalMs: number) =>
  Effect.acquireRelease(
    Effect.try({
      try: () => {
        if (resumed.exists) Fs.truncateSync(output, resumed.keepBytes)
        const fd = Fs.openSync(output, "a")
        let lastSync = Date.now()
        let dirty = false
        const write = (text: string) => {
          const buffer = Buffer.from(text, "utf8")
          let offset = 0
          while (offset < buffer.length) offset += Fs.writeSync(fd, buffer, offset)
          dirty = true
          if (Date.now() - lastSync >= syncIntervalMs) sync()
        }
        const sync = () => {
          if (!dirty) return
          Fs.fdatasyncSync(fd)
          dirty = false
          lastSync = Date.now()
        }
        if (!resumed.hasHeader) write(headerLine)
        return { write, sync, close: () => Fs.closeSync(fd) }
      },
      catch: (error) =>
        new BulkError({ reason: "OutputUnwritable", message: `Cannot write ${output}: ${describeFsError(error)}` })
    }),
    (file) =>
      Effect.sync(() => {
        try {
          file.sync()
        } finally {
          file.close()
        }
      })
  )

const writeError = (output: string) => (error: unknown) =>
  new BulkError({ reason: "OutputUnwritable", message: `Cannot write ${output}: ${describeFsError(error)}` })

interface Settled {
  readonly prepared: Rows.Prepared
  readonly result: Either.Either<RegisterPds.Result, HeroError.HeroError>
}

const outputFields = ({ prepared, result }: Settled): Array<string> => {
  const base = [String(prepared.row), prepared.nhsNumber, prepared.dob]
  return Either.match(result, {
    onRight: (result) =>
      result._tag === "Registered"
        ? [...base, "registered", result.patientId, "", "", ""]
        : [...base, "verification_required", "", result.loginUrl, "", ""],
    onLeft: (error) => [...base, "error", "", "", error._tag, "status" in error ? String(error.status) : ""]
  })
}

/**
 * Registers every row of `options.input` not yet in `options.output`, appending their output rows in input
 * order. Invalid rows become `InvalidInput` rows without a request. Fails with a `BulkError` (before any request
 * when the input is unreadable, malformed or lacks the columns, or the output is not this input's). The
 * `HeroClient` in context decides rate, concurrency limit and retries.
 *
 * @since 0.1.0
 * @category running
 */
export const run = (options: Options): Effect.Effect<Summary, BulkError, HeroClient.HeroClient> =>
  Effect.scoped(Effect.gen(function*() {
    const started = Date.now()
    const client = yield* HeroClient.HeroClient
    const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4))
    const streakLimit = Math.max(1, options.failureStreak ?? Math.max(10, 2 * concurrency))
    const { columns, total } = yield* scan(options.input)
    const resumed = yield* resume(options.input, options.output)
    if (resumed.done > total) {
      return yield* Effect.fail(
        new BulkError({
          reason: "OutputMismatch",
          message: `${options.output} has ${resumed.done} rows but ${options.input} has ${total}: ` +
            "it is another input's output. Use another --out."
        })
      )
    }
    const file = yield* openOutput(options.output, resumed, options.syncIntervalMs ?? 1000)
    const tally = resumed.tally
    let done = resumed.done
    const invalidRows: Array<InvalidRow> = []
    let ending: Ending = { _tag: "Completed" }
    const progress = (): Progress => ({ total, done, resumed: resumed.done, counts: snapshot(tally) })
    options.onProgress?.(progress())

    /** Temporary failures held back: written once a row after them succeeds, dropped if the run stops on them. */
    let held: Array<Settled> = []
    const write = (settled: ReadonlyArray<Settled>) => {
      if (settled.length === 0) return
      let text = ""
      for (const row of settled) {
        const fields = outputFields(row)
        text += internalCsv.formatRecord(fields)
        count(tally, fields[3]!, fields[6]!)
        if (Either.isLeft(row.result) && row.result.left._tag === "InvalidInput" && invalidRows.length < 20) {
          invalidRows.push({ row: row.prepared.row, issues: row.result.left.issues })
        }
      }
      file.write(text)
      done += settled.length
    }
    const heroFailed = (row: number, error: HeroError.HeroError): Ending => ({
      _tag: "HeroFailed",
      row,
      error: error._tag,
      status: "status" in error ? error.status : undefined,
      message: error.message
    })

    /** Writes what can be written; `false` when the run must stop here. */
    const take = (chunk: Chunk.Chunk<Settled | undefined>): boolean => {
      const ready: Array<Settled> = []
      let go = true
      for (const settled of chunk) {
        if (settled === undefined) {
          // The first row skipped after a stop: every row after it was skipped too.
          go = false
          break
        }
        const error = Either.isLeft(settled.result) ? settled.result.left : undefined
        if (error !== undefined && Outcome.isCredentialFailure(error)) {
          ending = heroFailed((held[0] ?? settled).prepared.row, error)
          held = []
          go = false
          break
        }
        if (error !== undefined && Outcome.isTemporary(error)) {
          held.push(settled)
          if (held.length >= streakLimit) {
            ending = heroFailed(held[0]!.prepared.row, error)
            held = []
            go = false
            break
          }
          continue
        }
        ready.push(...held, settled)
        held = []
      }
      write(ready)
      return go
    }

    const numbered = records(options.input).pipe(
      Stream.drop(1),
      Stream.filter((record) => !Rows.isBlank(record.fields)),
      Stream.zipWithIndex
    )
    // After a stop, rows not yet started are skipped (a flag checked as each row starts: the rows are read in
    // chunks, so a stop of the stream itself would only take effect at the next chunk).
    let stopping = false
    if (options.stop !== undefined) {
      yield* Effect.forkScoped(Effect.tap(options.stop, () => Effect.sync(() => (stopping = true))))
    }
    const settled = numbered.pipe(
      Stream.mapEffect(([record, index]) => {
        const prepared = Rows.prepare(columns, index + 1, record.fields)
        if (prepared.row > resumed.done) return Effect.succeedSome(prepared)
        return resumed.fingerprints[index] === Rows.fingerprint(prepared.nhsNumber, prepared.dob)
          ? Effect.succeedNone
          : Effect.fail(
            new BulkError({
              reason: "OutputMismatch",
              message: `Row ${prepared.row} of ${options.input} is not row ${prepared.row} of ${options.output}: ` +
                "the output belongs to another input. Use another --out."
            })
          )
      }),
      Stream.filterMap((prepared) => prepared),
      Stream.mapEffect(
        (prepared): Effect.Effect<Settled | undefined> =>
          Effect.suspend(() =>
            stopping
              ? Effect.succeed(undefined)
              : Either.isLeft(prepared.request)
              ? Effect.succeed({ prepared, result: Either.left(prepared.request.left) })
              : Effect.map(
                Effect.either(client.registerPds(prepared.request.right)),
                (result) => ({ prepared, result })
              )
          ),
        { concurrency }
      )
    )
    const rows = options.abort === undefined ? settled : Stream.interruptWhen(settled, options.abort)

    // (`Stream.runForEachWhile` over `Stream.chunks` would be the natural fit, but it retains every element.)
    yield* Stream.runForEachChunk(rows, (chunk) =>
      Effect.flatMap(
        Effect.try({
          try: () => {
            const go = take(chunk)
            options.onProgress?.(progress())
            return go
          },
          catch: writeError(options.output)
        }),
        (go) => (go ? Effect.void : Effect.fail(halt))
      )).pipe(Effect.catchIf((error): error is typeof halt => error === halt, () => Effect.void))
    if (ending._tag === "Completed") {
      // Temporary failures at the very end are outcomes like any other.
      yield* Effect.try({ try: () => write(held), catch: writeError(options.output) })
      held = []
      // The rows ended before the input did: `stop` or `abort` ended the run.
      if (done < total) ending = { _tag: "Interrupted" }
    }
    yield* Effect.try({ try: () => file.sync(), catch: writeError(options.output) })
    options.onProgress?.(progress())
    return {
      ...progress(),
      processed: done - resumed.done,
      invalidRows,
      ending,
      elapsedMs: Date.now() - started
    }
  }))

/**
 * One data row validated as {@link run} validates it: the output's `nhs_number` and `dob` columns (normalised
 * when the row is valid, as given when not; `nhs_number` empty for a demographic row) and the request to send,
 * or the `InvalidInput` written instead.
 *
 * @since 0.1.0
 * @category models
 */
export interface PreparedRow {
  readonly row: number
  readonly nhsNumber: string
  readonly dob: string
  readonly request: Either.Either<RegisterPds.Request, HeroError.InvalidInput>
}

/**
 * Validates one data row under a header as {@link run} does; `None` when the header lacks the needed columns.
 *
 * @since 0.1.0
 */
export const prepareRow = (
  header: ReadonlyArray<string>,
  row: number,
  fields: ReadonlyArray<string>
): Option.Option<PreparedRow> =>
  Option.map(Option.fromNullable(Rows.columnsOf(header)), (columns) => Rows.prepare(columns, row, fields))
