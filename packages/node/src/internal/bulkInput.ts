/** Reading bulk's input: its format, its header's columns, and its data rows numbered as the file has them. */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import { BulkError } from "./bulkError.js"
import * as Rows from "./bulkRows.js"
import * as Csv from "./csv.js"
import { describeFsError } from "./files.js"

/** How the user said to read the input, if they did. */
export interface ReadOptions {
  readonly encoding?: Csv.Encoding | undefined
  readonly delimiter?: string | undefined
}

/** An input whose format and columns are known and whose rows are counted. */
export interface Input {
  readonly path: string
  readonly format: Csv.Format
  readonly columns: Rows.Columns
  /** Rows with data (blank rows are numbered but are not rows to register). */
  readonly total: number
}

/** A data row: its number in the input (the row after the header is 1; blank rows count) and its fields. */
export interface DataRow {
  readonly row: number
  readonly fields: ReadonlyArray<string>
}

const toBulkError = (path: string) => (error: unknown): BulkError =>
  error instanceof BulkError
    ? error
    : error instanceof Csv.CsvError
    ? new BulkError({ reason: "InputMalformed", message: `${path}: ${error.message}` })
    : new BulkError({ reason: "InputUnreadable", message: `Cannot read ${path}: ${describeFsError(error)}` })

const headerError = (path: string, format: Csv.Format, header: ReadonlyArray<string>, problem: Rows.HeaderProblem) => {
  if (problem._tag === "Ambiguous") {
    return new BulkError({
      reason: "AmbiguousColumns",
      message: `${path}: the columns "${problem.first}" and "${problem.second}" both look like ${problem.field}; ` +
        "rename or remove one of them"
    })
  }
  const delimiter = format.delimiter === "\t" ? "tab" : `"${format.delimiter}"`
  return new BulkError({
    reason: "MissingColumns",
    message: `${path}: the first line must be a header naming the columns NHS number and date of birth, ` +
      "or forename, surname, date of birth and postcode (any order and case; other columns are carried through). " +
      `Read with the delimiter ${delimiter}, its first line has ${
        header.length === 1 ? "1 column" : `${header.length} columns`
      }` +
      (header.length === 1 ? ": use --delimiter if the file is separated by something else" : "")
  })
}

/** Every record after the header, numbered. */
const dataRows = (path: string, format: Csv.Format): Stream.Stream<DataRow, BulkError> =>
  Csv.records(path, format).pipe(
    Stream.drop(1),
    Stream.zipWithIndex,
    Stream.map(([record, index]) => ({ row: index + 1, fields: record.fields })),
    Stream.mapError(toBulkError(path))
  )

/**
 * The first pass over the input, before any request: its format, its header's columns, how many rows have data,
 * and that it is all readable CSV whose dates are day first (a file with a row that can only be month first is
 * refused, naming it).
 */
export const scan = (path: string, options: ReadOptions): Effect.Effect<Input, BulkError> =>
  Effect.gen(function*() {
    const format = yield* Effect.mapError(Csv.sniff(path, options), toBulkError(path))
    let columns: Rows.Columns | undefined
    let total = 0
    yield* Csv.records(path, format).pipe(
      Stream.mapError(toBulkError(path)),
      Stream.zipWithIndex,
      Stream.runForEach(([record, index]) => {
        if (index === 0) {
          return Either.match(Rows.columnsOf(record.fields), {
            onLeft: (problem) => Effect.fail(headerError(path, format, record.fields, problem)),
            onRight: (found) => Effect.sync(() => (columns = found))
          })
        }
        if (Csv.isBlank(record.fields)) return Effect.void
        total++
        return Rows.isMonthFirst(columns!, record.fields)
          ? Effect.fail(
            new BulkError({
              reason: "MonthFirstDates",
              message: `${path}: row ${index} has a date of birth that can only be month first (US order), so ` +
                "no date in this file can be trusted to be day first. Save the dates as YYYY-MM-DD or DD/MM/YYYY " +
                "and run again."
            })
          )
          : Effect.void
      })
    )
    if (columns === undefined) return yield* Effect.fail(headerError(path, format, [], { _tag: "Missing" }))
    return { path, format, columns, total }
  })

/** The input's rows with data, numbered, read as they are consumed. */
export const rows = (input: Input): Stream.Stream<DataRow, BulkError> =>
  Stream.filter(dataRows(input.path, input.format), (row) => !Csv.isBlank(row.fields))
