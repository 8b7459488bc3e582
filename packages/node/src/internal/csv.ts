/** An incremental RFC 4180 parser: text goes in chunk by chunk, records come out as soon as they end. */

/** One parsed record. */
export interface ParsedRecord {
  readonly fields: Array<string>
  /** The 1-based line the record starts on. */
  readonly line: number
  /** The offset (in UTF-16 code units of all the text fed) just after the record's line terminator. */
  readonly end: number
  /** Whether a line terminator ended the record (false for a last record at the end of the input). */
  readonly terminated: boolean
}

/** What went wrong, where: never the text itself, which may be patient data. */
export interface ParseProblem {
  readonly line: number
  readonly message: string
}

const enum State {
  /** At the start of a field. */
  FieldStart,
  /** Inside a field that did not start with a quote. */
  Unquoted,
  /** Inside a quoted field. */
  Quoted,
  /** Just after a quote inside a quoted field: an escaped quote, or the end of the field. */
  QuoteInQuoted,
  /** Just after a CR that ended a record: a LF here belongs to that terminator. */
  AfterCr
}

const QUOTE = 34
const COMMA = 44
const CR = 13
const LF = 10
const BOM = 0xfeff

/** The default cap on one record's length, so an unclosed quote cannot read a whole file into memory. */
export const defaultMaxRecordLength = 1024 * 1024

export class Parser {
  private state: State = State.FieldStart
  private fields: Array<string> = []
  /** The current field's text before the chunk being parsed (or before the last escaped quote). */
  private pending = ""
  /** Where the record being read starts, in all the text fed. */
  private recordStart = 0
  /** Whether the last character of a quoted field was a CR (so a LF after it is the same line break). */
  private crInQuotes = false
  /** Lines seen so far (1-based number of the line being read). */
  private line = 1
  private recordLine = 1
  private quoteLine = 1
  /** The offset of the start of the chunk being parsed, in all the text fed. */
  private base = 0
  private started = false
  private fieldHasText = false
  private failed: ParseProblem | undefined

  constructor(private readonly maxRecordLength: number = defaultMaxRecordLength) {}

  /** Parses the next chunk; returns the records it completed, or the first problem in the text. */
  feed(chunk: string): Array<ParsedRecord> | ParseProblem {
    if (this.failed !== undefined) return this.failed
    const records: Array<ParsedRecord> = []
    let i = 0
    if (!this.started && chunk.length > 0) {
      this.started = true
      if (chunk.charCodeAt(0) === BOM) i = 1
    }
    /** Where the current field's text starts in this chunk (-1: not in a field with text here). */
    let start = this.state === State.Unquoted || this.state === State.Quoted ? 0 : -1
    const n = chunk.length
    const fail = (message: string): ParseProblem => (this.failed = { line: this.line, message })
    const endRecord = (at: number, terminated: boolean) => {
      // A line with nothing on it is blank, not a record of one empty field.
      if (!(this.fields.length === 1 && this.fields[0] === "" && !this.fieldHasText)) {
        records.push({ fields: this.fields, line: this.recordLine, end: this.base + at, terminated })
      }
      this.fields = []
      this.recordStart = this.base + at
      this.fieldHasText = false
    }
    const endField = (value: string) => {
      this.fields.push(value)
      this.pending = ""
    }
    for (; i < n; i++) {
      const c = chunk.charCodeAt(i)
      switch (this.state) {
        case State.AfterCr: {
          this.state = State.FieldStart
          if (c === LF) {
            // The CR's record ends after this LF; it was held back until now.
            endRecord(i + 1, true)
            break
          }
          endRecord(i, true)
          this.recordLine = this.line
          i--
          break
        }
        case State.FieldStart: {
          if (this.fields.length === 0) this.recordLine = this.line
          if (c === QUOTE) {
            this.state = State.Quoted
            this.quoteLine = this.line
            this.crInQuotes = false
            this.fieldHasText = true
            start = i + 1
          } else if (c === COMMA) {
            this.fieldHasText = true
            endField("")
          } else if (c === LF || c === CR) {
            endField("")
            this.line++
            if (c === LF) endRecord(i + 1, true)
            else this.state = State.AfterCr
          } else {
            this.state = State.Unquoted
            this.fieldHasText = true
            start = i
          }
          break
        }
        case State.Unquoted: {
          if (c === COMMA || c === LF || c === CR) {
            endField(this.pending + chunk.slice(start, i))
            start = -1
            if (c === COMMA) {
              this.state = State.FieldStart
            } else {
              this.line++
              if (c === LF) {
                this.state = State.FieldStart
                endRecord(i + 1, true)
              } else {
                this.state = State.AfterCr
              }
            }
          } else if (c === QUOTE) {
            return fail("a quote inside an unquoted field (quote the whole field and double the quotes inside it)")
          }
          break
        }
        case State.Quoted: {
          if (c === QUOTE) {
            this.pending += chunk.slice(start, i)
            start = -1
            this.state = State.QuoteInQuoted
          } else if (c === CR || c === LF) {
            // CR, LF and CRLF each count as one line break, as they do outside quotes.
            if (!(c === LF && this.crInQuotes)) this.line++
            this.crInQuotes = c === CR
            break
          }
          this.crInQuotes = false
          break
        }
        case State.QuoteInQuoted: {
          if (c === QUOTE) {
            // An escaped quote: keep one and read on.
            this.state = State.Quoted
            start = i
          } else if (c === COMMA) {
            endField(this.pending)
            this.state = State.FieldStart
          } else if (c === LF || c === CR) {
            endField(this.pending)
            this.line++
            if (c === LF) {
              this.state = State.FieldStart
              endRecord(i + 1, true)
            } else {
              this.state = State.AfterCr
            }
          } else {
            return fail("text after the closing quote of a field (a field's quotes must enclose all of it)")
          }
          break
        }
      }
    }
    if (start >= 0 && (this.state === State.Unquoted || this.state === State.Quoted)) {
      this.pending += chunk.slice(start)
    }
    this.base += n
    const reading = this.state === State.FieldStart ? this.fields.length > 0 : this.state !== State.AfterCr
    if (reading && this.base - this.recordStart > this.maxRecordLength) {
      return fail(
        this.state === State.Quoted
          ? `a quoted field starting on line ${this.quoteLine} runs on for over ${this.maxRecordLength} characters ` +
            "(a quote that is never closed?)"
          : `a record longer than ${this.maxRecordLength} characters`
      )
    }
    return records
  }

  /** Ends the input: returns the last record (if it had no line terminator), or the problem with the text. */
  end(): Array<ParsedRecord> | ParseProblem {
    if (this.failed !== undefined) return this.failed
    const records: Array<ParsedRecord> = []
    switch (this.state) {
      case State.Quoted:
        return (this.failed = {
          line: this.quoteLine,
          message: `a quoted field starting on line ${this.quoteLine} is never closed`
        })
      case State.QuoteInQuoted:
        this.fields.push(this.pending)
        break
      case State.Unquoted:
        this.fields.push(this.pending)
        break
      case State.AfterCr:
        // A record ended by a lone CR at the very end: complete as CSV, though a CRLF writer was cut short.
        if (!(this.fields.length === 1 && this.fields[0] === "" && !this.fieldHasText)) {
          records.push({ fields: this.fields, line: this.recordLine, end: this.base, terminated: false })
        }
        this.fields = []
        return records
      case State.FieldStart:
        // After a comma the record has one more (empty) field; at a record's start there is nothing left.
        if (this.fields.length > 0) this.fields.push("")
        break
    }
    if (this.fields.length > 0) {
      records.push({ fields: this.fields, line: this.recordLine, end: this.base, terminated: false })
    }
    this.fields = []
    this.pending = ""
    return records
  }
}

const needsQuotes = /[",\r\n]|^\uFEFF/

/**
 * One field as RFC 4180 writes it: quoted (with quotes doubled) only when it holds a comma, quote, CR or LF (or
 * starts with U+FEFF, which a reader would take for a byte order mark at the start of a file).
 */
export const formatField = (field: string): string =>
  needsQuotes.test(field) ? `"${field.replace(/"/g, "\"\"")}"` : field

/** One record and its CRLF terminator (a lone empty field is quoted, or it would read as a blank line). */
export const formatRecord = (fields: ReadonlyArray<string>): string =>
  (fields.length === 1 && fields[0] === "" ? "\"\"" : fields.map(formatField).join(",")) + "\r\n"
