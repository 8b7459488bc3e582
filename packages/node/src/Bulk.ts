/**
 * Bulk registration from a CSV file (the engine of `hero-pds bulk`). A run holds a lock beside its output, reads
 * the input as a stream (any encoding Excel saves, its delimiter detected, its header's names matched loosely),
 * validates each row locally, registers the valid rows through the `HeroClient` in context at a pace that follows
 * the rate and the measured latency, and appends one output row per input row, in input order, to a file that
 * survives crashes and resumes: re-running with the same output never registers a row that is already written
 * there, and refuses an output written against another origin or practice group.
 *
 * @since 0.1.0
 */
import * as HeroClient from "@hero-pds/core/HeroClient"
import * as HeroConfig from "@hero-pds/core/HeroConfig"
import type * as HeroError from "@hero-pds/core/HeroError"
import * as Outcome from "@hero-pds/core/Outcome"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import { BulkError } from "./internal/bulkError.js"
import * as Guard from "./internal/bulkGuard.js"
import * as BulkInput from "./internal/bulkInput.js"
import * as Output from "./internal/bulkOutput.js"
import { Policy } from "./internal/bulkPolicy.js"
import * as Resume from "./internal/bulkResume.js"
import * as Rows from "./internal/bulkRows.js"
import * as Throttle from "./internal/bulkThrottle.js"
import * as Csv from "./internal/csv.js"

export {
  /**
   * Why a bulk run could not start or go on (exit 2 in the CLI). The message names files, columns and line or row
   * numbers, never patient data. `reason` is one of `InputUnreadable`, `InputMalformed`, `MissingColumns`,
   * `AmbiguousColumns`, `MonthFirstDates`, `OutputMismatch` (the output is another input's), `OutputUnwritable`,
   * `OutputLocked` (another run holds it) and `OriginMismatch` (it holds answers from elsewhere).
   *
   * @since 0.1.0
   * @category errors
   */
  BulkError
}

/**
 * The output's first columns: `row,nhs_number,dob,outcome,patient_id,login_url,error,status`; the input's other
 * columns follow them, unchanged.
 *
 * @since 0.1.0
 */
export const outputHeader: ReadonlyArray<string> = Rows.contractColumns

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
  /** Rows with data in the input (blank rows are not rows to register). */
  readonly total: number
  /** Rows in the output. */
  readonly done: number
  /** Rows that were already in the output when this run started. */
  readonly resumed: number
  /** Rows this run is sending again (`retryErrors`), of which `retried` have a new outcome. */
  readonly toRetry: number
  readonly retried: number
  /** The outcomes of all `done` rows. */
  readonly counts: Counts
}

/**
 * How a run ended:
 * - `Completed`: every input row has its output row;
 * - `Interrupted`: `stop` or `abort` ended it early; re-running resumes;
 * - `HeroFailed`: Hero refused the credentials (at once), or kept failing (temporary failures on `failureStreak`
 *   rows in a row, after each row's retries): the run stopped at `row`, which is not written (nor any after it), so
 *   re-running resumes there.
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
  /** Rows written by this run (retried rows included). */
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
  /** The CSV to read: a header naming an NHS number and a date of birth, or forename, surname, date of birth and
   * postcode (case, spaces and punctuation ignored; `NHS No`, `DOB`, `First name`, `Last name`, ... accepted). */
  readonly input: string
  /** The CSV to write or resume. */
  readonly output: string
  /** The input's encoding when it has no byte order mark (default UTF-8; `latin1` is read as Windows-1252). */
  readonly encoding?: "utf-8" | "windows-1252" | "latin1" | undefined
  /** The input's delimiter: `,`, `;` or a tab (default: the one its header line uses most). */
  readonly delimiter?: "," | ";" | "\t" | undefined
  /** Requests per second at most, paced a little under it and backing off on 429s. */
  readonly rate?: number | undefined
  /** Rows registered at once. Default: with a `rate`, as many as the measured latency needs (up to 64), else 4. */
  readonly concurrency?: number | undefined
  /** Send again the rows of the output whose outcome was a temporary failure (rate limited, server, transport),
   * writing their new outcome in place. */
  readonly retryErrors?: boolean | undefined
  /** What the transport under the client saw, attempt by attempt (retries included): each 429, so the pace backs
   * off at once. */
  readonly transport?: Stream.Stream<TransportEvent> | undefined
  /** When this completes, no further row is sent; rows in flight finish and are written. */
  readonly stop?: Effect.Effect<void> | undefined
  /** When this completes, rows in flight are abandoned (not written: a re-run does them again). */
  readonly abort?: Effect.Effect<void> | undefined
  /** Called once the input is counted and the output resumed, then after every write. */
  readonly onProgress?: ((progress: Progress) => void) | undefined
  /** How often written rows are forced to disk (`fdatasync`), in milliseconds (default 1000), and at the end. */
  readonly syncIntervalMs?: number | undefined
  /** Rows in a row that end in a temporary Hero failure before the run stops (default the larger of 10 and twice
   * the rows in flight). Fewer are written as `error` rows, like any other outcome. */
  readonly failureStreak?: number | undefined
}

/**
 * One thing the transport under the client saw: a 429.
 *
 * @since 0.1.0
 * @category models
 */
export type TransportEvent = { readonly _tag: "RateLimited" }

interface Settled {
  readonly prepared: Rows.Prepared
  readonly row: number
  readonly outcome: Outcome.Outcome
  readonly error: HeroError.HeroError | undefined
}

const originOf = (config: HeroConfig.Service): Guard.Origin => ({
  environment: config.environment,
  origin: new URL(config.baseUrl).origin,
  practiceGroupId: config.practiceGroupId
})

/** Ends the stream of settled rows early (caught inside `run`). */
const halt = { _tag: "Halt" } as const

/**
 * Registers every row of `options.input` not yet in `options.output` (and, with `retryErrors`, those whose outcome
 * was a temporary failure), writing their output rows in input order. Invalid rows become `InvalidInput` rows
 * without a request. Fails with a `BulkError` before any request when the input is unreadable, malformed, lacks the
 * columns or has US dates, or the output is locked, another input's or another origin's. The `HeroClient` in
 * context applies its retries; the `HeroConfig` names the origin recorded beside the output.
 *
 * @since 0.1.0
 * @category running
 */
export const run = (
  options: Options
): Effect.Effect<Summary, BulkError, HeroClient.HeroClient | HeroConfig.HeroConfig> =>
  Effect.scoped(Effect.gen(function*() {
    const started = Date.now()
    const client = yield* HeroClient.HeroClient
    const config = yield* HeroConfig.HeroConfig
    yield* Guard.lock(options.output)
    const input = yield* BulkInput.scan(options.input, {
      encoding: options.encoding,
      delimiter: options.delimiter
    })
    const header = Rows.outputHeader(input.columns)
    const resumed = yield* Resume.resume(options.input, options.output, header, options.retryErrors === true)
    if (resumed.rows.length > input.total) {
      return yield* Effect.fail(
        new BulkError({
          reason: "OutputMismatch",
          message: `${options.output} has ${resumed.rows.length} rows but ${options.input} has ${input.total}: ` +
            "it is another input's output. Use another --out."
        })
      )
    }
    yield* Guard.claimOrigin(options.output, originOf(config), resumed.rows.length > 0)
    yield* Output.cutTail(options.output, resumed.keepBytes)

    const throttle = yield* Throttle.make({ rate: options.rate, concurrency: options.concurrency })
    if (options.transport !== undefined) {
      yield* Effect.forkScoped(Stream.runForEach(options.transport, () => throttle.rateLimited))
    }
    const streakLimit = Math.max(1, options.failureStreak ?? Math.max(10, 2 * throttle.maxWindow))
    const tally = resumed.tally
    let done = resumed.rows.length
    let retried = 0
    const invalidRows: Array<InvalidRow> = []
    let ending: Ending = { _tag: "Completed" }
    const progress = (): Progress => ({
      total: input.total,
      done,
      resumed: resumed.rows.length,
      toRetry: resumed.retry.size,
      retried,
      counts: { ...tally, errors: { ...tally.errors } }
    })
    options.onProgress?.(progress())

    // After a stop, rows not yet sent are skipped (a flag checked as each row's turn comes: rows are read in
    // chunks, so a stop of the stream itself would only take effect at the next chunk).
    let stopping = false
    if (options.stop !== undefined) {
      yield* Effect.forkScoped(Effect.tap(options.stop, () => Effect.sync(() => (stopping = true))))
    }
    const settle = (prepared: Rows.Prepared): Effect.Effect<Settled | undefined> => {
      const result = Either.isLeft(prepared.request)
        ? Effect.succeed(Either.left(prepared.request.left))
        : Effect.either(client.registerPds(prepared.request.right))
      return Effect.map(result, (raw) => {
        const checked = Rows.checkResult(raw)
        return Either.match(checked, {
          onLeft: (error) => ({ prepared, row: prepared.row, outcome: Outcome.fromError(error), error }),
          onRight: (result) => ({ prepared, row: prepared.row, outcome: Outcome.fromResult(result), error: undefined })
        })
      })
    }
    const send = (prepared: Rows.Prepared) =>
      Either.isLeft(prepared.request)
        ? settle(prepared)
        : throttle.run(Effect.suspend(() => (stopping ? Effect.succeed(undefined) : settle(prepared))))

    const mismatch = (row: number) =>
      new BulkError({
        reason: "OutputMismatch",
        message: `Row ${row} of ${options.input} is not row ${row} of ${options.output}: ` +
          "the output belongs to another input. Use another --out."
      })
    const outputCells = (settled: Settled) => Rows.outputRow(settled.prepared, settled.outcome)
    const noteInvalid = (settled: Settled) => {
      if (settled.error?._tag === "InvalidInput" && invalidRows.length < 20) {
        invalidRows.push({ row: settled.row, issues: settled.error.issues })
      }
    }

    /** Sends `rows` and passes what the failure policy lets through to `write`; the ending it met, if any. */
    const registerAll = (
      rows: Stream.Stream<Rows.Prepared, BulkError>,
      write: (ready: ReadonlyArray<Settled>) => void
    ): Effect.Effect<boolean, BulkError> => {
      const policy = new Policy<Settled>(streakLimit)
      const settled = Stream.mapEffect(rows, send, { concurrency: throttle.maxWindow })
      const cut = options.abort === undefined ? settled : Stream.interruptWhen(settled, options.abort)
      let stopped = false
      return Stream.runForEachChunk(cut, (chunk) => {
        const rowsIn: Array<Settled> = []
        for (const row of chunk) {
          // The first row skipped after a stop: every row after it was skipped too.
          if (row === undefined) {
            stopped = true
            break
          }
          rowsIn.push(row)
        }
        const { ready, stop } = policy.take(rowsIn)
        return Effect.zipRight(
          Effect.try({
            try: () => {
              write(ready)
              options.onProgress?.(progress())
            },
            catch: (error) => (error instanceof BulkError ? error : new BulkError({
              reason: "OutputUnwritable",
              message: `Cannot write ${options.output}: ${String(error)}`
            }))
          }),
          stop === undefined && !stopped ? Effect.void : Effect.suspend(() => {
            if (stop !== undefined) {
              ending = {
                _tag: "HeroFailed",
                row: stop.row,
                error: stop.error._tag,
                status: "status" in stop.error ? stop.error.status : undefined,
                message: stop.error.message
              }
            }
            return Effect.fail(halt)
          })
        )
      }).pipe(
        Effect.as(true),
        Effect.catchIf((error): error is typeof halt => error === halt, () => Effect.succeed(false)),
        Effect.tap((completed) => (completed ? Effect.sync(() => write(policy.flush())) : Effect.void))
      )
    }

    const resumedIndex = new Map(resumed.rows.map((row, index) => [row, index]))
    const prepared = BulkInput.rows(input).pipe(
      Stream.map((row) => Rows.prepare(input.columns, row.row, row.fields))
    )
    /** A resumed row must be the same row as when it was written. */
    const check = (row: Rows.Prepared) => {
      const index = resumedIndex.get(row.row)
      return index === undefined || resumed.fingerprints[index] === Rows.fingerprint(...cellsOf(row))
        ? Effect.void
        : Effect.fail(mismatch(row.row))
    }

    // 1. With `retryErrors`: the temporary failures, sent again and written in place.
    let go = true
    if (resumed.retry.size > 0) {
      const replacements = new Map<number, ReadonlyArray<string>>()
      go = yield* registerAll(
        prepared.pipe(Stream.filter((row) => resumed.retry.has(row.row)), Stream.tap(check)),
        (ready) => {
          for (const settled of ready) {
            Resume.count(tally, "error", resumed.retry.get(settled.row)!, -1)
            Resume.count(tally, settled.outcome.outcome, settled.error?._tag ?? "")
            noteInvalid(settled)
            replacements.set(settled.row, outputCells(settled))
          }
          retried += ready.length
        }
      )
      yield* Output.replaceRows(options.output, resumed.bom, replacements)
    }

    // 2. The rows not yet in the output, appended (the rows already there checked to be this input's).
    if (go) {
      const writer = yield* Output.open(options.output, header, resumed, {
        bom: input.format.bom || input.format.encoding !== "utf-8",
        syncIntervalMs: options.syncIntervalMs ?? 1000
      })
      const last = resumed.rows.at(-1) ?? 0
      go = yield* registerAll(
        prepared.pipe(Stream.tap(check), Stream.filter((row) => row.row > last)),
        (ready) => {
          for (const settled of ready) {
            Resume.count(tally, settled.outcome.outcome, settled.error?._tag ?? "")
            noteInvalid(settled)
          }
          writer.write(ready.map(outputCells))
          done += ready.length
        }
      )
      yield* Effect.try({
        try: () => writer.sync(),
        catch: () => new BulkError({ reason: "OutputUnwritable", message: `Cannot write ${options.output}` })
      })
    }
    // The rows ended before the input did: `stop` or `abort` ended the run.
    if (ending._tag === "Completed" && (done < input.total || retried < resumed.retry.size)) {
      ending = { _tag: "Interrupted" }
    }
    options.onProgress?.(progress())
    return {
      ...progress(),
      processed: done - resumed.rows.length + retried,
      invalidRows,
      ending,
      elapsedMs: Date.now() - started
    }
  }))

/** The `nhs_number` and `dob` cells of a row as written (made safe for spreadsheets). */
const cellsOf = (row: Rows.Prepared): [string, string] => [Csv.safeCell(row.nhsNumber), Csv.safeCell(row.dob)]
