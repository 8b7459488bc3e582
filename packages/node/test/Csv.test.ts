import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Stream from "effect/Stream"
import * as Csv from "../src/Csv.js"

const fields = (text: string) => Either.map(Csv.parse(text), (rows) => rows.map((row) => row.fields))
const lines = (text: string) => Either.map(Csv.parse(text), (rows) => rows.map((row) => row.line))
const problem = (text: string) => Either.flip(Csv.parse(text)).pipe(Either.getOrThrow)

/** Parses `text` fed in pieces of `size` characters through the streaming decoder. */
const streamed = (text: string, size: number) => {
  const pieces: Array<string> = []
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size))
  return Effect.runSync(
    Effect.either(Stream.runCollect(Csv.decode()(Stream.fromIterable(pieces))))
  ).pipe(Either.map((rows) => Chunk.toArray(rows).map((row) => row.fields)))
}

describe("Csv.parse", () => {
  it("reads plain, quoted and empty fields", () => {
    expect(fields("a,b,c\n1,,3\n")).toEqual(Either.right([["a", "b", "c"], ["1", "", "3"]]))
    expect(fields("\"a\",\"\",c")).toEqual(Either.right([["a", "", "c"]]))
    expect(fields("a,")).toEqual(Either.right([["a", ""]]))
  })

  it("reads escaped quotes, and commas and line breaks inside quotes", () => {
    expect(fields("\"say \"\"hi\"\"\",\"a,b\",\"line1\r\nline2\",\"x\ny\"\n")).toEqual(
      Either.right([["say \"hi\"", "a,b", "line1\r\nline2", "x\ny"]])
    )
  })

  it("drops a byte order mark and reads CRLF, LF and CR line endings alike", () => {
    expect(fields("\uFEFFnhs_number,dob\r\n1,2\r\n")).toEqual(Either.right([["nhs_number", "dob"], ["1", "2"]]))
    expect(fields("a\nb\r\nc\rd")).toEqual(Either.right([["a"], ["b"], ["c"], ["d"]]))
  })

  it("skips blank lines, and numbers records by the line they start on", () => {
    const text = "h1,h2\r\n\r\n1,2\n\n\n\"multi\nline\",3\r\n4,5\r\n\r\n"
    expect(fields(text)).toEqual(Either.right([["h1", "h2"], ["1", "2"], ["multi\nline", "3"], ["4", "5"]]))
    expect(lines(text)).toEqual(Either.right([1, 3, 6, 8]))
  })

  it("names the line of a malformed record without quoting it", () => {
    const open = problem("a,b\n1,2\n\"9000000009,never closed\n3,4\n")
    expect(open).toMatchObject({ _tag: "CsvError", line: 3 })
    expect(open.message).toBe("Malformed CSV at line 3: a quoted field starting on line 3 is never closed")
    const stray = problem("a,b\r\n9000\"000009,2\r\n")
    expect(stray).toMatchObject({ line: 2 })
    expect(stray.message).toContain("quote inside an unquoted field")
    expect(stray.message).not.toContain("9000")
    expect(problem("a\n\"x\ny\"z,1\n")).toMatchObject({ line: 3, reason: expect.stringContaining("after the closing") })
  })

  it("refuses a record longer than the limit (an unclosed quote cannot read a whole file into memory)", () => {
    const error = Either.flip(Csv.parse(`a\n"${"x".repeat(100)}`, { maxRecordLength: 50 })).pipe(Either.getOrThrow)
    expect(error.message).toContain("line 2")
  })

  it("gives the same records however the text is split into chunks", () => {
    const text = "\uFEFFa,\"b\"\"c\",d\r\n\r\n\"x\r\ny\",z\r\n1,2\r"
    const whole = fields(text)
    for (const size of [1, 2, 3, 5, 8]) expect(streamed(text, size)).toEqual(whole)
    expect(streamed("a\r", 1)).toEqual(Either.right([["a"]]))
  })

  it("decodes UTF-8 split inside a character", () => {
    const bytes = new TextEncoder().encode("\uFEFFname\r\nZoë,Łukasz\r\n")
    const chunks = [...bytes].map((byte) => Uint8Array.of(byte))
    const rows = Effect.runSync(Stream.runCollect(Csv.decode()(Csv.decodeUtf8(Stream.fromIterable(chunks)))))
    expect(Chunk.toArray(rows).map((row) => row.fields)).toEqual([["name"], ["Zoë", "Łukasz"]])
  })
})

describe("Csv.format", () => {
  it("quotes only the fields that need it, doubling quotes, and ends records in CRLF", () => {
    expect(Csv.formatRow(["plain", "a,b", "say \"hi\"", "two\nlines", "", " spaced "])).toBe(
      "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",, spaced \r\n"
    )
    expect(Csv.format([["a"], [""]])).toBe("a\r\n\"\"\r\n")
  })

  it("round-trips any records through the reader (property)", () => {
    const record = FastCheck.array(FastCheck.string({ unit: "binary" }), { minLength: 1, maxLength: 6 })
    FastCheck.assert(
      FastCheck.property(FastCheck.array(record, { maxLength: 8 }), (records) => {
        // A record of one empty field is written as `""`, so it is not mistaken for a blank line.
        const text = Csv.format(records)
        expect(fields(text)).toEqual(Either.right(records))
        expect(streamed(text, 7)).toEqual(Either.right(records))
      })
    )
  })

  it("never throws on arbitrary text: it returns records or a CsvError (property)", () => {
    const text = FastCheck.oneof(
      FastCheck.string({ unit: "binary" }),
      FastCheck.array(FastCheck.constantFrom("a", ",", "\"", "\r", "\n", "\uFEFF", " ", "é"), { maxLength: 40 })
        .map((parts) => parts.join(""))
    )
    FastCheck.assert(
      FastCheck.property(text, (input) => {
        const result = Csv.parse(input)
        if (Either.isLeft(result)) {
          expect(result.left._tag).toBe("CsvError")
          expect(result.left.line).toBeGreaterThanOrEqual(1)
        } else {
          expect(Array.isArray(result.right)).toBe(true)
        }
        expect(streamed(input, 3)).toEqual(Either.map(result, (rows) => rows.map((row) => row.fields)))
      })
    )
  })
})
