import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Rows from "../src/internal/bulkRows.js"
import * as Csv from "../src/internal/csv.js"

const columns = (header: ReadonlyArray<string>) => Either.getOrThrow(Rows.columnsOf(header))

describe("bulk's rows", () => {
  it("matches header names ignoring case, spaces and punctuation, with the usual synonyms", () => {
    const byNumber = columns(["Ref", "NHS No.", "D.O.B."])
    expect([...byNumber.fields]).toEqual([["nhsNumber", 1], ["dob", 2]])
    expect(byNumber.carried).toEqual([0])
    const names = columns(["Given Name", "FAMILY NAME", "date_of_birth", "Post-code", "nhs-number"])
    expect(Object.fromEntries(names.fields)).toEqual({ forename: 0, surname: 1, dob: 2, postcode: 3, nhsNumber: 4 })
    expect(names.variants.map((variant) => variant.name)).toEqual(["ByNhsNumber", "ByDemographics"])
    expect(Rows.columnsOf(["First name", "Forename", "DOB", "NHS"])).toEqual(
      Either.left({ _tag: "Ambiguous", field: "forename", first: "First name", second: "Forename" })
    )
    expect(Rows.columnsOf(["name", "dob"])).toEqual(Either.left({ _tag: "Missing" }))
  })

  it("puts the contract's columns first and renames a carried column that clashes with one", () => {
    expect(Rows.outputHeader(columns(["status", "nhs_number", "dob", "note"]))).toEqual([
      ...Rows.contractColumns,
      "input status",
      "note"
    ])
  })

  it("normalises names to NFC and refuses control characters, without repeating them", () => {
    const header = columns(["forename", "surname", "dob", "postcode"])
    const decomposed = Rows.prepare(header, 1, ["Jose\u0301", "Garci\u0301a", "09/07/1985", "ls1 6ae"])
    expect(Either.getOrThrow(decomposed.request)).toMatchObject({ forename: "José", surname: "García" })
    const control = Rows.prepare(header, 2, ["Jo\u0007se", "Smith", "09/07/1985", "ls1 6ae"])
    expect(Either.flip(control.request).pipe(Either.getOrThrow).issues).toEqual([
      { path: "forename", message: "must not contain control characters" }
    ])
  })

  it("reads a date only day first, and tells a US date apart", () => {
    const header = columns(["nhs_number", "dob"])
    expect(Rows.prepare(header, 1, ["943 476 5919", "01/02/1992"])).toMatchObject({ dob: "1992-02-01" })
    expect(Rows.isMonthFirst(header, ["9434765919", "12/25/1990"])).toBe(true)
    expect(Rows.isMonthFirst(header, ["9434765919", "01/02/1992"])).toBe(false)
  })

  it("refuses a patient_id that is not a plain identifier", () => {
    const registered = (patientId: string) =>
      Rows.checkResult(Either.right({ _tag: "Registered", patientId } as never)).pipe(Either.map(() => "ok"))
    expect(registered("98765")).toEqual(Either.right("ok"))
    expect(Either.isLeft(registered("=1+1"))).toBe(true)
    expect(Either.isLeft(registered("12 34"))).toBe(true)
  })

  it("neutralises every cell a spreadsheet would run (OWASP), and nothing else", () => {
    for (const cell of ["=1", "+1", "-1", "@A1", "\t=1", "\r=1", "\n=1", "\uFF1D1"]) {
      expect(Csv.safeCell(cell)).toBe(`'${cell}`)
    }
    for (const cell of ["", "abc", " =1", "1-2", "'=1"]) expect(Csv.safeCell(cell)).toBe(cell)
    expect(Csv.format([["=1", "a,b", "say \"hi\""]])).toBe("'=1,\"a,b\",\"say \"\"hi\"\"\"\r\n")
  })

  it("detects the delimiter from the header line", () => {
    expect(Csv.detectDelimiter("nhs_number;dob;\"a,b\"")).toBe(";")
    expect(Csv.detectDelimiter("nhs_number\tdob")).toBe("\t")
    expect(Csv.detectDelimiter("nhs_number,dob")).toBe(",")
    expect(Csv.detectDelimiter("nhs_number")).toBe(",")
  })
})
