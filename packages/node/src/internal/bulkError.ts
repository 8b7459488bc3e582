import * as Data from "effect/Data"

/**
 * Why a bulk run could not start or go on. The message names files, columns and line or row numbers, never patient
 * data. Re-exported as `Bulk.BulkError`.
 */
export class BulkError extends Data.TaggedError("BulkError")<{
  readonly reason:
    | "InputUnreadable"
    | "InputMalformed"
    | "MissingColumns"
    | "AmbiguousColumns"
    | "MonthFirstDates"
    | "OutputMismatch"
    | "OutputUnwritable"
    | "OutputLocked"
    | "OriginMismatch"
  readonly message: string
}> {}
