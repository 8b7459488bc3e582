/**
 * CSV for bulk, on node-csv: `csv-parse` reads (any delimiter, quotes, CRLF/LF/CR, a BOM, byte offsets) and
 * `csv-stringify` writes. This module adds what a spreadsheet user's files need: the text encodings Excel saves
 * (UTF-8 with or without a BOM, UTF-16 with a BOM, Windows-1252), the delimiter guessed from the header line, cells
 * neutralised against formula injection, and errors that name a line, never the text (which may be patient data).
 */
import { CsvError as ParseError, type Info, parse } from "csv-parse"
import { stringify } from "csv-stringify/sync"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { isUtf8 } from "node:buffer"
import * as Fs from "node:fs"
import { pipeline } from "node:stream"

/** The encodings a user may name with `--encoding` (`latin1` is read as Windows-1252, as browsers do). */
export const encodings = ["utf-8", "windows-1252", "latin1"] as const

/** One of {@link encodings}. */
export type Encoding = typeof encodings[number]

/** The delimiters a user may name with `--delimiter` (`tab` for a tab), and that are detected. */
export const delimiters = { ",": ",", ";": ";", tab: "\t" } as const

/** How a file's bytes become text: found from its BOM, else as the user said, else UTF-8. */
export type TextEncoding = "utf-8" | "utf-16le" | "utf-16be" | "windows-1252"

/** The text cannot be read. `line` is the 1-based line where the problem is; the message never quotes the text. */
export class CsvError extends Data.TaggedError("CsvError")<{
  readonly line: number
  readonly reason: string
  /** A quote opened and never closed before the end: a file cut short. */
  readonly unclosedQuote?: boolean
}> {
  override get message(): string {
    return `line ${this.line}: ${this.reason}`
  }
}

/** What is known of a file before its records are read: how to decode it and which delimiter it uses. */
export interface Format {
  readonly encoding: TextEncoding
  /** Whether the file starts with a byte order mark (Excel's "CSV UTF-8" and "Unicode text" do). */
  readonly bom: boolean
  readonly delimiter: string
}

const boms: ReadonlyArray<readonly [TextEncoding, ReadonlyArray<number>]> = [
  ["utf-8", [0xef, 0xbb, 0xbf]],
  ["utf-16le", [0xff, 0xfe]],
  ["utf-16be", [0xfe, 0xff]]
]

const startsWith = (bytes: Uint8Array, prefix: ReadonlyArray<number>) => prefix.every((byte, i) => bytes[i] === byte)

/** The first line of a text, outside quotes. */
const firstLine = (text: string): string => {
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === "\"") quoted = !quoted
    else if (!quoted && (c === "\n" || c === "\r")) return text.slice(0, i)
  }
  return text
}

/** The delimiter a header line uses most of (outside quotes); a comma when it has none of them. */
export const detectDelimiter = (header: string): string => {
  let best = ","
  let most = 0
  for (const delimiter of Object.values(delimiters)) {
    let count = 0
    let quoted = false
    for (const c of header) {
      if (c === "\"") quoted = !quoted
      else if (!quoted && c === delimiter) count++
    }
    if (count > most) [best, most] = [delimiter, count]
  }
  return best
}

/**
 * Reads the start of a file to decide its format: a BOM decides the encoding, else `encoding`, else UTF-8; the
 * delimiter is `delimiter`, else the one its first line uses most.
 */
export const sniff = (
  path: string,
  options: { readonly encoding?: Encoding | undefined; readonly delimiter?: string | undefined }
): Effect.Effect<Format, unknown> =>
  Effect.try(() => {
    const fd = Fs.openSync(path, "r")
    try {
      const head = Buffer.alloc(64 * 1024)
      const size = Fs.readSync(fd, head, 0, head.length, 0)
      const bytes = head.subarray(0, size)
      const marked = boms.find(([, bom]) => startsWith(bytes, bom))
      const encoding: TextEncoding = marked?.[0] ??
        (options.encoding === undefined || options.encoding === "utf-8" ? "utf-8" : "windows-1252")
      const text = new TextDecoder(encoding).decode(bytes)
      return {
        encoding,
        bom: marked !== undefined,
        delimiter: options.delimiter ?? detectDelimiter(firstLine(text))
      }
    } finally {
      Fs.closeSync(fd)
    }
  })

/** Counts line breaks (CRLF, LF or CR, each one), carrying a CR at the end of one chunk into the next. */
class LineCounter {
  lines = 1
  private lastWasCr = false
  count(bytes: Uint8Array): void {
    for (const c of bytes) {
      if (c === 0x0a && this.lastWasCr) this.lastWasCr = false
      else if (c === 0x0a || c === 0x0d) {
        this.lines++
        this.lastWasCr = c === 0x0d
      } else this.lastWasCr = false
    }
  }
}

const invalidUtf8 = (line: number) =>
  new CsvError({
    line,
    reason: "the file is not valid UTF-8 there. If it was saved by Excel as \"CSV (Comma delimited)\", " +
      "run again with --encoding windows-1252"
  })

/** Whether a byte ends a line (a CR or LF never occurs inside a UTF-8 sequence). */
const isLineEnd = (byte: number | undefined) => byte === 0x0a || byte === 0x0d

/**
 * Checks UTF-8 chunk by chunk (each up to its last line break, the rest with the next chunk), so the first invalid
 * line can be named.
 */
async function* validUtf8(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const counter = new LineCounter()
  const check = (bytes: Buffer) => {
    if (!isUtf8(bytes)) {
      let start = 0
      for (let i = 0; i <= bytes.length; i++) {
        if (i < bytes.length && !isLineEnd(bytes[i])) continue
        if (!isUtf8(bytes.subarray(start, i))) {
          counter.count(bytes.subarray(0, start))
          throw invalidUtf8(counter.lines)
        }
        start = i + 1
      }
    }
    counter.count(bytes)
  }
  let pending: Buffer = Buffer.alloc(0)
  for await (const chunk of source) {
    const bytes = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
    let cut = bytes.length
    while (cut > 0 && !isLineEnd(bytes[cut - 1])) cut--
    pending = bytes.subarray(cut)
    if (pending.length > 4 * maxRecordSize) {
      throw new CsvError({ line: counter.lines, reason: `a line longer than ${4 * maxRecordSize} bytes` })
    }
    if (cut === 0) continue
    check(bytes.subarray(0, cut))
    yield bytes.subarray(0, cut)
  }
  if (pending.length > 0) {
    check(pending)
    yield pending
  }
}

/** Decodes another encoding into UTF-8 bytes for the parser. */
async function* transcode(source: AsyncIterable<Buffer>, encoding: TextEncoding): AsyncGenerator<Buffer> {
  const decoder = new TextDecoder(encoding)
  for await (const chunk of source) yield Buffer.from(decoder.decode(chunk, { stream: true }), "utf8")
  yield Buffer.from(decoder.decode(), "utf8")
}

/** One record as read: its fields, and the byte offset (in UTF-8) just after it. */
export interface Row {
  readonly fields: Array<string>
  readonly end: number
}

/** The longest record accepted, in characters: a guard against a quote that is never closed. */
export const maxRecordSize = 1024 * 1024

const reasons: Readonly<{ [code: string]: string }> = {
  CSV_QUOTE_NOT_CLOSED: "a quoted field is never closed",
  INVALID_OPENING_QUOTE: "a quote inside an unquoted field (quote the whole field and double the quotes inside it)",
  CSV_INVALID_CLOSING_QUOTE: "text after the closing quote of a field (a field's quotes must enclose all of it)",
  CSV_MAX_RECORD_SIZE: `a record longer than ${maxRecordSize} characters (a quote that is never closed?)`
}

/** A parser's error in words that never quote the text; an unclosed quote is placed where its record starts. */
const fromParseError = (error: ParseError, recordStart: number): CsvError =>
  new CsvError({
    line: error.code === "CSV_QUOTE_NOT_CLOSED" ? recordStart : typeof error.lines === "number" ? error.lines : 0,
    reason: reasons[error.code] ?? "the text is not valid CSV",
    unclosedQuote: error.code === "CSV_QUOTE_NOT_CLOSED"
  })

/**
 * The records of a file in the given format, read as they are consumed (one chunk of the file in memory at a time).
 * Fails with a {@link CsvError} naming the line, or with the file system's error.
 */
export const records = (path: string, format: Format): Stream.Stream<Row, CsvError | Error> =>
  Stream.suspend(() => {
    const source = Fs.createReadStream(path, { highWaterMark: 64 * 1024 })
    const parser = parse({
      delimiter: format.delimiter,
      bom: true,
      relax_column_count: true,
      max_record_size: maxRecordSize,
      info: true
    })
    const decode = format.encoding === "utf-8"
      ? validUtf8
      : (chunks: AsyncIterable<Buffer>) => transcode(chunks, format.encoding)
    const parsed = pipeline(source, decode, parser, () => {}) as AsyncIterable<{ record: Array<string>; info: Info }>
    /** The line the next record starts on (a record's `info.lines` is the line it ends on). */
    let recordStart = 1
    return Stream.map(
      Stream.fromAsyncIterable(parsed, (error) =>
        error instanceof CsvError
          ? error
          : error instanceof ParseError
          ? fromParseError(error, recordStart)
          : toError(error)),
      ({ info, record }) => {
        recordStart = info.lines + 1
        return { fields: record, end: info.bytes }
      }
    )
  })

const toError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)))

/** A record with nothing but blank fields (a blank line, or `,,,` from a spreadsheet). */
export const isBlank = (fields: ReadonlyArray<string>): boolean => fields.every((field) => field.trim() === "")

/**
 * A cell that a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab, a CR or a LF, or a
 * full-width `=`, `+`, `-` or `@`) gets a leading `'`, so it is shown as text (OWASP's CSV injection rule).
 */
export const safeCell = (
  cell: string
): string => (/^[=+\-@\t\r\n\uFF1D\uFF0B\uFF0D\uFF20]/.test(cell) ? `'${cell}` : cell)

/**
 * Records as CSV text with CRLF line ends, every cell made safe with {@link safeCell} and quoted when it must be.
 */
export const format = (rows: ReadonlyArray<ReadonlyArray<string>>): string =>
  rows.length === 0 ? "" : stringify(rows.map((row) => row.map(safeCell)), {
    record_delimiter: "windows",
    // A leading U+FEFF would be taken for a byte order mark.
    quoted_match: /^\uFEFF/
  })

/** The UTF-8 byte order mark, written first when the input had one or was in another encoding, so Excel reads the
 * output as UTF-8 too. */
export const utf8Bom = "\uFEFF"
