import * as Either from "effect/Either"
import { describe, expect, it } from "vitest"
import * as SlackCommand from "../src/SlackCommand.js"

const today = "2026-04-26"
const parse = (text: string) => SlackCommand.parse(text, today)
const kindOf = (text: string) => {
  const result = parse(text)
  return Either.isLeft(result) ? result.left.kind : result.right._tag
}

describe("SlackCommand.parse", () => {
  it("reads the NHS number with spaces, hyphens or none, and ISO or UK dates", () => {
    for (
      const text of [
        "943 476 5919 22/10/2010",
        "943-476-5919 22-10-2010",
        "9434765919 2010-10-22",
        "  943 4765919   22/10/2010 ",
        "22/10/2010 943 476 5919",
        "<tel:9434765919|943 476 5919> 22/10/2010"
      ]
    ) {
      expect(parse(text), text).toEqual(Either.right({ _tag: "Register", nhsNumber: "9434765919", dob: "2010-10-22" }))
    }
    expect(parse("900 000 0009 1/2/2010")).toEqual(
      Either.right({ _tag: "Register", nhsNumber: "9000000009", dob: "2010-02-01" })
    )
  })

  it("shows the usage for help or nothing", () => {
    for (const text of ["", "   ", "help", "HELP", "?"]) expect(kindOf(text)).toBe("Help")
  })

  it("explains every mistake, never repeating what was typed", () => {
    const cases: ReadonlyArray<readonly [string, SlackCommand.MistakeKind]> = [
      ["900 000 0008 14/03/1985", "NhsNumberCheckDigit"],
      ["900 000 000 14/03/1985", "NhsNumberLength"],
      ["900 000 00090 14/03/1985", "NhsNumberLength"],
      ["900 000 000x 14/03/1985", "NhsNumberNotDigits"],
      ["14/03/1985", "MissingNhsNumber"],
      ["900 000 0009", "MissingDateOfBirth"],
      ["900 000 0009 03/14/1985", "DateUsOrder"],
      ["900 000 0009 30/02/1985", "DateImpossible"],
      ["900 000 0009 1985-13-01", "DateImpossible"],
      ["900 000 0009 14/03/2099", "DateInFuture"],
      ["900 000 0009 27/04/2026", "DateInFuture"],
      ["900 000 0009 01/01/1899", "DateTooEarly"],
      ["900 000 0009 14/03/85", "DateTwoDigitYear"],
      ["900 000 0009 14.03.1985", "DateUnreadable"],
      ["900 000 0009 yesterday", "NhsNumberNotDigits"],
      ["900 000 0009 14/03/1985 01/01/2000", "TooManyDates"]
    ]
    for (const [text, kind] of cases) {
      const result = parse(text)
      expect(Either.isLeft(result) ? result.left.kind : "parsed", text).toBe(kind)
      if (Either.isLeft(result)) {
        expect(result.left.message.replace(/\D/g, "")).not.toContain("9000000009")
        expect(result.left.message).not.toMatch(/1985|2099|1899|14\.03/)
      }
    }
  })

  it("accepts today's date and no later", () => {
    expect(kindOf("943 476 5919 26/04/2026")).toBe("Register")
    expect(SlackCommand.todayAt(Date.UTC(2026, 3, 26, 22, 59))).toBe("2026-04-26")
  })
})
