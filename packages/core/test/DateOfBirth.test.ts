import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Schema from "effect/Schema"
import * as DateOfBirth from "../src/DateOfBirth.js"

const decode = Schema.decodeUnknownEither(DateOfBirth.DateOfBirth)
const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10)

describe("DateOfBirth", () => {
  it("accepts real ISO dates from 1900-01-01 up to today", () => {
    for (const date of ["1900-01-01", "2010-10-22", "2000-02-29", isoDay(-1)]) {
      expect(decode(date)).toEqual(Either.right(date))
    }
  })

  it("rejects impossible, early, future and non-ISO dates", () => {
    for (const date of ["1899-12-31", "2001-02-29", "2010-13-01", "2010-00-10", "2010-1-2", "22/10/2010", isoDay(3)]) {
      expect(Either.isLeft(decode(date))).toBe(true)
    }
  })

  it("reads every form staff type, day first", () => {
    for (
      const text of [
        "2010-10-22",
        "22/10/2010",
        "22-10-2010",
        "22.10.2010",
        "22 Oct 2010",
        "22 oct. 2010",
        "22 October 2010",
        "22nd October 2010",
        "22-Oct-2010",
        " 22/10/2010 "
      ]
    ) expect(DateOfBirth.parse(text)).toEqual(Either.right("2010-10-22"))
    expect(DateOfBirth.parse("1/2/2010")).toEqual(Either.right("2010-02-01"))
    expect(DateOfBirth.parse("3 Sept 1999")).toEqual(Either.right("1999-09-03"))
  })

  it("refuses US order, two-digit years and impossible dates, saying which", () => {
    expect(DateOfBirth.parse("10/22/2010")).toEqual(Either.left(DateOfBirth.monthFirstMessage))
    expect(DateOfBirth.parse("12/25/1990")).toEqual(Either.left(DateOfBirth.monthFirstMessage))
    expect(DateOfBirth.parse("22/10/10")).toEqual(Either.left(DateOfBirth.twoDigitYearMessage))
    expect(DateOfBirth.parse("22 Oct 10")).toEqual(Either.left(DateOfBirth.twoDigitYearMessage))
    expect(DateOfBirth.parse("31/02/2010")).toEqual(Either.left(DateOfBirth.invalidMessage))
    expect(DateOfBirth.parse("32/13/2010")).toEqual(Either.left(DateOfBirth.invalidMessage))
    expect(DateOfBirth.parse("22 Octember 2010")).toEqual(Either.left(DateOfBirth.unreadableMessage))
    expect(DateOfBirth.parse("22 Oc 2010")).toEqual(Either.left(DateOfBirth.unreadableMessage))
    expect(DateOfBirth.parse("yesterday")).toEqual(Either.left(DateOfBirth.unreadableMessage))
    expect(DateOfBirth.parse("2010/10/22")).toEqual(Either.left(DateOfBirth.unreadableMessage))
  })

  it.prop("round-trips every real date through the UK form", [
    FastCheck.date({
      min: new Date("1900-01-01T00:00:00Z"),
      max: new Date("2020-12-31T00:00:00Z"),
      noInvalidDate: true
    })
  ], ([date]) => {
    const iso = date.toISOString().slice(0, 10)
    const [year, month, day] = iso.split("-")
    expect(DateOfBirth.parse(`${day}/${month}/${year}`)).toEqual(Either.right(iso))
  })

  it.prop("never throws, whatever it is given", [FastCheck.anything(), FastCheck.string()], ([input, text]) => {
    expect(() => decode(input)).not.toThrow()
    expect(() => DateOfBirth.parse(text)).not.toThrow()
  })
})
