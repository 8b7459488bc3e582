/**
 * A small streaming CSV reader and writer (RFC 4180): quoted fields, doubled quotes, commas and line breaks
 * inside quotes, a UTF-8 byte order mark, CRLF, LF or CR line endings; blank lines are skipped. Errors name the
 * line and what is wrong, never the text (which may be patient data).
 *
 * @since 0.1.0
 */
import * as Chunk from "effect/Chunk"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import * as internal from "./internal/csv.js"

/**
 * A record as read: its fields and the line it starts on (1-based).
 *
 * @since 0.1.0
 * @category models
 */
export interface Row {
  readonly fields: ReadonlyArray<string>
  readonly line: number
}

/**
 * The text is not valid CSV. `line` is where the problem was found; the message says what is wrong without
 * quoting the text.
 *
 * @since 0.1.0
 * @category errors
 */
export class CsvError extends Data.TaggedError("CsvError")<{
  readonly line: number
  readonly reason: string
}> {
  override get message(): string {
    return `Malformed CSV at line ${this.line}: ${this.reason}`
  }
}

/**
 * Reader options.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReadOptions {
  /** The longest record accepted, in characters (default 1 MiB): a guard against a quote that is never closed. */
  readonly maxRecordLength?: number | undefined
}

const toError = (problem: internal.ParseProblem) => new CsvError({ line: problem.line, reason: problem.message })

const toRows = (records: Array<internal.ParsedRecord>): Array<Row> =>
  records.map(({ fields, line }) => ({ fields, line }))

/**
 * Parses a whole text. Never throws: the records, or the first problem as a `CsvError`.
 *
 * @since 0.1.0
 * @category decoding
 */
export const parse = (text: string, options?: ReadOptions): Either.Either<Array<Row>, CsvError> => {
  const parser = new internal.Parser(options?.maxRecordLength)
  const body = parser.feed(text)
  if (!Array.isArray(body)) return Either.left(toError(body))
  const tail = parser.end()
  if (!Array.isArray(tail)) return Either.left(toError(tail))
  return Either.right(toRows([...body, ...tail]))
}

/**
 * Parses a stream of text chunks (split anywhere) into records, holding one record in memory at a time.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode = (options?: ReadOptions) =>
<E, R>(
  chunks: Stream.Stream<string, E, R>
): Stream.Stream<Row, E | CsvError, R> =>
  Stream.suspend(() => {
    const parser = new internal.Parser(options?.maxRecordLength)
    const step = (result: Array<internal.ParsedRecord> | internal.ParseProblem) =>
      Array.isArray(result) ? Effect.succeed(toRows(result)) : Effect.fail(toError(result))
    return Stream.concat(
      Stream.mapEffect(chunks, (chunk) => step(parser.feed(chunk))),
      Stream.fromEffect(Effect.suspend(() => step(parser.end())))
    ).pipe(Stream.mapConcatChunk(Chunk.unsafeFromArray))
  })

/**
 * Decodes a stream of UTF-8 bytes (split anywhere, even inside a character) into text chunks, dropping a byte
 * order mark.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeUtf8 = <E, R>(bytes: Stream.Stream<Uint8Array, E, R>): Stream.Stream<string, E, R> =>
  Stream.suspend(() => {
    const decoder = new TextDecoder("utf-8")
    return Stream.concat(
      Stream.map(bytes, (chunk) => decoder.decode(chunk, { stream: true })),
      Stream.sync(() => decoder.decode())
    ).pipe(Stream.filter((text) => text.length > 0))
  })

/**
 * One field as written: quoted, with its quotes doubled, only when it holds a comma, a quote, a CR or a LF.
 *
 * @since 0.1.0
 * @category encoding
 */
export const formatField: (field: string) => string = internal.formatField

/**
 * One record as written, ending in CRLF.
 *
 * @since 0.1.0
 * @category encoding
 */
export const formatRow: (fields: ReadonlyArray<string>) => string = internal.formatRecord

/**
 * Records as a CSV text (each record ends in CRLF).
 *
 * @since 0.1.0
 * @category encoding
 */
export const format = (rows: Iterable<ReadonlyArray<string>>): string => {
  let text = ""
  for (const row of rows) text += internal.formatRecord(row)
  return text
}

/**
 * Encodes a stream of records as CSV text, one chunk per record.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encode = <E, R>(rows: Stream.Stream<ReadonlyArray<string>, E, R>): Stream.Stream<string, E, R> =>
  Stream.map(rows, internal.formatRecord)
