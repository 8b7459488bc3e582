/** The output file: rows appended whole, forced to disk now and then and at the end; rewritten for retried rows. */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Fs from "node:fs"
import { BulkError } from "./bulkError.js"
import type { Resumed } from "./bulkResume.js"
import * as Csv from "./csv.js"
import { describeFsError } from "./files.js"

/** Appends rows to the output. */
export interface Writer {
  /** Appends whole rows (one write). */
  readonly write: (rows: ReadonlyArray<ReadonlyArray<string>>) => void
  /** Forces what was written to disk. */
  readonly sync: () => void
}

const unwritable = (path: string) => (error: unknown) =>
  new BulkError({ reason: "OutputUnwritable", message: `Cannot write ${path}: ${describeFsError(error)}` })

const writeAll = (fd: number, text: string) => {
  const buffer = Buffer.from(text, "utf8")
  let offset = 0
  while (offset < buffer.length) offset += Fs.writeSync(fd, buffer, offset)
}

/** Cuts off what follows the complete rows (a row cut short by a crash). */
export const cutTail = (output: string, keepBytes: number): Effect.Effect<void, BulkError> =>
  Effect.try({
    try: () => {
      const size = Fs.statSync(output, { throwIfNoEntry: false })?.size
      if (size !== undefined && size > keepBytes) Fs.truncateSync(output, keepBytes)
    },
    catch: unwritable(output)
  })

/**
 * Opens the output for appending (its tail already cut with {@link cutTail}), writing the header first when there
 * is none. Rows are forced to disk every `syncIntervalMs` and when the scope closes.
 */
export const open = (
  output: string,
  header: ReadonlyArray<string>,
  resumed: Resumed,
  options: { readonly bom: boolean; readonly syncIntervalMs: number }
): Effect.Effect<Writer, BulkError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.try({
      try: () => {
        const fd = Fs.openSync(output, "a")
        let lastSync = Date.now()
        let written = false
        /** Forces everything written to disk now (at the end, whatever a background sync has done). */
        const sync = () => {
          if (written) Fs.fdatasyncSync(fd)
        }
        const append = (text: string) => {
          if (text === "") return
          writeAll(fd, text)
          written = true
          // On the way, in the background: a disk that takes its time must not hold up the calls being paced.
          if (Date.now() - lastSync >= options.syncIntervalMs) {
            lastSync = Date.now()
            Fs.fdatasync(fd, () => {})
          }
        }
        if (!resumed.hasHeader) append((options.bom ? Csv.utf8Bom : "") + Csv.format([header]))
        return { fd, writer: { write: (rows: ReadonlyArray<ReadonlyArray<string>>) => append(Csv.format(rows)), sync } }
      },
      catch: unwritable(output)
    }),
    ({ fd, writer }) =>
      Effect.sync(() => {
        try {
          writer.sync()
        } finally {
          Fs.closeSync(fd)
        }
      })
  ).pipe(Effect.map(({ writer }) => writer))

/**
 * Replaces some rows of a complete output (by input row number), leaving every other row as it was: the new file is
 * written beside it, forced to disk, then renamed over it, so a crash leaves the old one whole.
 */
export const replaceRows = (
  output: string,
  bom: boolean,
  replacements: ReadonlyMap<number, ReadonlyArray<string>>
): Effect.Effect<void, BulkError> =>
  Effect.gen(function*() {
    if (replacements.size === 0) return
    const temporary = `${output}.${process.pid}.rewrite`
    const fd = yield* Effect.try({ try: () => Fs.openSync(temporary, "w"), catch: unwritable(temporary) })
    let header = true
    yield* Csv.records(output, { encoding: "utf-8", bom, delimiter: "," }).pipe(
      Stream.runForEach((record) =>
        Effect.try({
          try: () => {
            const replacement = header ? undefined : replacements.get(Number(record.fields[0]))
            writeAll(fd, (header && bom ? Csv.utf8Bom : "") + Csv.format([replacement ?? record.fields]))
            header = false
          },
          catch: unwritable(temporary)
        })
      ),
      Effect.mapError((error) => error instanceof BulkError ? error : unwritable(output)(error)),
      Effect.zipRight(
        Effect.try({
          try: () => {
            Fs.fdatasyncSync(fd)
            Fs.closeSync(fd)
            Fs.renameSync(temporary, output)
          },
          catch: unwritable(output)
        })
      ),
      Effect.onError(() =>
        Effect.sync(() => {
          Fs.close(fd, () => Fs.rmSync(temporary, { force: true }))
        })
      )
    )
  })
