import { describe, expect, it } from "@effect/vitest"
import * as NhsNumber from "@hero-pds/core/NhsNumber"
import * as Either from "effect/Either"
import * as fc from "effect/FastCheck"
import * as SlackCommand from "../src/SlackCommand.js"
import * as Fuzz from "./utils/fuzz.js"
import * as Patients from "./utils/patients.js"

const today = new Date(Date.now() + 60 * 60 * 1000).toISOString().slice(0, 10)
const parse = (text: string) => SlackCommand.parse(text)
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
        "943 476 5919 22.10.2010",
        "943 476 5919 22 Oct 2010",
        "943 476 5919 22 October 2010",
        "22 oct 2010 943 476 5919",
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
      ["900 000 0009 30/02/1985", "DateInvalid"],
      ["900 000 0009 1985-13-01", "DateInvalid"],
      ["900 000 0009 14/03/2099", "DateInvalid"],
      ["900 000 0009 01/01/1899", "DateInvalid"],
      ["900 000 0009 14/03/85", "DateTwoDigitYear"],
      ["900 000 0009 14 Smarch 1985", "DateUnreadable"],
      ["900 000 0009 14 Mar 85", "DateTwoDigitYear"],
      ["111 111 1111 14/03/1985", "NhsNumberRepeatedDigit"],
      ["900 000 0009 yesterday", "NhsNumberNotDigits"],
      ["900 000 0009 14/03/1985 01/01/2000", "TooManyDates"],
      ["900 000 0009 14 Mar 1985 01/01/2000", "TooManyDates"]
    ]
    for (const [text, kind] of cases) {
      const result = parse(text)
      expect(Either.isLeft(result) ? result.left.kind : "parsed", text).toBe(kind)
      if (Either.isLeft(result)) {
        expect(result.left.message.replace(/\D/g, "")).not.toContain("9000000009")
        expect(result.left.message).not.toMatch(/1985|2099|1899|14\.03|Smarch/)
      }
    }
  })

  it("accepts today's date and no later, with core's parser (the CLI's and bulk's)", () => {
    const [y, m, d] = today.split("-")
    expect(kindOf(`943 476 5919 ${d}/${m}/${y}`)).toBe("Register")
    expect(kindOf(`943 476 5919 ${d}/${m}/${Number(y) + 1}`)).toBe("DateInvalid")
  })
})

const mistakeKinds: ReadonlySet<string> = new Set<SlackCommand.MistakeKind>([
  "MissingNhsNumber",
  "MissingDateOfBirth",
  "NhsNumberNotDigits",
  "NhsNumberLength",
  "NhsNumberCheckDigit",
  "DateUnreadable",
  "DateTwoDigitYear",
  "DateUsOrder",
  "NhsNumberRepeatedDigit",
  "DateInvalid",
  "TooManyDates"
])

/** A parse result is one of the typed outcomes, and a Register carries a valid number and an allowed date. */
const expectTyped = (result: Either.Either<SlackCommand.Command, SlackCommand.Mistake>) => {
  if (Either.isLeft(result)) {
    expect(result.left._tag).toBe("Mistake")
    expect(mistakeKinds.has(result.left.kind), result.left.kind).toBe(true)
    expect(typeof result.left.message).toBe("string")
    expect(result.left.message.length).toBeGreaterThan(0)
    expect(result.left.message.length).toBeLessThan(300)
    return
  }
  if (result.right._tag === "Help") return
  expect(result.right._tag).toBe("Register")
  expect(NhsNumber.hasValidCheckDigit(result.right.nhsNumber)).toBe(true)
  expect(result.right.nhsNumber).toMatch(/^\d{10}$/)
  expect(result.right.dob).toMatch(/^\d{4}-\d{2}-\d{2}$/)
  expect(result.right.dob >= "1900-01-01" && result.right.dob <= today).toBe(true)
}

/** What the parser sees from Slack: any text, often padded or linked the way Slack does it. */
const slackText = fc.oneof(
  Fuzz.anyString(),
  fc.tuple(Fuzz.anyString(40), Fuzz.anyString(40)).map(([a, b]) => `<tel:${a}|${b}>`),
  fc.array(fc.oneof(Fuzz.anyString(20), fc.constantFrom("<", ">", "|", "<tel:", "help", "?")), { maxLength: 30 })
    .map((parts) => parts.join(" "))
)

/** Whitespace Slack may leave between and around the parts. */
const gap = fc.constantFrom(" ", "  ", "\t", " \n ", "\u00a0", "\u3000")

describe("SlackCommand.parse (fuzz)", () => {
  it.prop("never throws on any text and always returns a typed result", [slackText], ([text]) => {
    expectTyped(parse(text))
  }, Fuzz.options())

  it.prop(
    "never throws on huge inputs (up to ~1 MB) and answers them quickly",
    [fc.tuple(Fuzz.anyString(40), fc.integer({ min: 1_000, max: 25_000 }))],
    ([[unit, times]]) => {
      const text = unit.repeat(times).slice(0, 1_000_000)
      const started = performance.now()
      expectTyped(parse(text))
      expect(performance.now() - started).toBeLessThan(2_000)
    },
    Fuzz.options(0.05, 200)
  )

  it.prop(
    "reads every spelling of a valid number and date, in either order, whatever the whitespace",
    [Patients.nhsNumber, Patients.nhsSpelling, Patients.dob, Patients.dateSpelling, gap, gap, gap, fc.boolean()],
    ([digits, nhsSpelling, dob, dateSpelling, before, between, after, dateFirst]) => {
      const nhs = Patients.spellNhsNumber(digits, nhsSpelling)
      const date = Patients.spellDate(dob, dateSpelling)
      const text = dateFirst ? `${before}${date}${between}${nhs}${after}` : `${before}${nhs}${between}${date}${after}`
      expect(parse(text)).toEqual(Either.right({ _tag: "Register", nhsNumber: digits, dob }))
    },
    Fuzz.options()
  )

  it.prop(
    "explains a near-miss without repeating the number or date typed",
    [
      Patients.nhsNumber,
      Patients.nhsSpelling,
      Patients.dob,
      Patients.dateSpelling,
      fc.constantFrom("checkDigit", "extraDigit", "missingDigit", "usOrder", "future", "twoDigitYear", "noDate", "two"),
      Fuzz.anyString(10)
    ],
    ([digits, nhsSpelling, dob, dateSpelling, mistake, junk]) => {
      const nhs = Patients.spellNhsNumber(
        mistake === "checkDigit" ? Patients.withWrongCheckDigit(digits) : digits,
        nhsSpelling
      )
      const [y, m, d] = dob.split("-") as [string, string, string]
      const date = mistake === "usOrder"
        ? `${m}/${d}/${y}`
        : mistake === "future"
        ? `${d}/${m}/${Number(today.slice(0, 4)) + 1 + (Number(y) % 50)}`
        : mistake === "twoDigitYear"
        ? `${d}/${m}/${y.slice(2)}`
        : Patients.spellDate(dob, dateSpelling)
      const text = mistake === "extraDigit"
        ? `${nhs}7 ${date}`
        : mistake === "missingDigit"
        ? `${nhs.slice(0, -1)} ${date}`
        : mistake === "noDate"
        ? `${nhs} ${junk}`
        : mistake === "two"
        ? `${nhs} ${date} ${date}`
        : `${nhs} ${date}`
      const result = parse(text)
      expectTyped(result)
      if (Either.isRight(result)) return
      const compact = result.left.message.replace(/[\s-]/g, "")
      // The examples in the messages use 943 476 5919 and 22/10/2010; a generated patient may share them.
      if (digits !== "9434765919") expect(compact).not.toContain(digits.slice(0, 9))
      if (!["22/10/2010", "2010-10-22", "22-10-2010"].includes(date)) expect(result.left.message).not.toContain(date)
    },
    Fuzz.options()
  )
})
