import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Schema from "effect/Schema"
import * as NhsNumber from "../src/NhsNumber.js"

const decode = Schema.decodeUnknownEither(NhsNumber.NhsNumber)

/** The Modulus 11 check digit of nine digits, or undefined when it would be 10 (no valid number). */
const checkDigit = (nine: ReadonlyArray<number>): number | undefined => {
  const remainder = nine.reduce((sum, digit, i) => sum + digit * (10 - i), 0) % 11
  const check = 11 - remainder
  return check === 11 ? 0 : check === 10 ? undefined : check
}

const nineDigits = FastCheck.array(FastCheck.integer({ min: 0, max: 9 }), { minLength: 9, maxLength: 9 })
const separator = FastCheck.constantFrom("", " ", "-", "  ", " - ")

/** Renders digits with arbitrary separators between them, as people type. */
const spaced = (digits: string) =>
  FastCheck.array(separator, { minLength: digits.length + 1, maxLength: digits.length + 1 }).map((seps) =>
    seps[0] + [...digits].map((digit, i) => digit + seps[i + 1]).join("")
  )

describe("NhsNumber", () => {
  it.prop("accepts exactly the Modulus 11-valid 10-digit numbers, in any spacing or hyphens", [
    nineDigits.chain((nine) =>
      FastCheck.integer({ min: 0, max: 9 }).chain((last) => {
        const digits = nine.join("") + last
        const repeated = new Set(digits).size === 1
        return spaced(digits).map((typed) => ({ digits, typed, valid: checkDigit(nine) === last && !repeated }))
      })
    )
  ], ([{ digits, typed, valid }]) => {
    const result = decode(typed)
    expect(Either.isRight(result)).toBe(valid)
    if (valid) expect(Either.getOrThrow(result)).toBe(digits)
  })

  it.prop("never throws, whatever it is given", [FastCheck.anything(), FastCheck.string()], ([input, text]) => {
    expect(() => decode(input)).not.toThrow()
    expect(() => NhsNumber.parse(text)).not.toThrow()
  })

  it.prop("rejects any string that is not 10 digits", [FastCheck.string()], ([input]) => {
    if (!/^\d{10}$/.test(input.replace(/[\s-]/g, ""))) expect(Either.isLeft(decode(input))).toBe(true)
  })

  it("accepts the NHS's documented forms and rejects a bad check digit", () => {
    for (const typed of ["943 476 5919", "943-476-5919", "9434765919"]) {
      expect(decode(typed)).toEqual(Either.right("9434765919"))
    }
    expect(NhsNumber.isValid("123 456 7891")).toBe(false)
    expect(NhsNumber.isValid("9434765918")).toBe(false)
    expect(NhsNumber.isValid("94347659190")).toBe(false)
    expect(NhsNumber.isValid("943476591x")).toBe(false)
  })

  it("treats a check digit of 10 as invalid and of 11 as 0", () => {
    // 000000010: sum 2, check 9; 100000000: sum 10, check 1; 000000060: sum 12 -> 11-1 = 10 -> invalid
    expect(NhsNumber.hasValidCheckDigit("0000000600")).toBe(false)
    expect(NhsNumber.hasValidCheckDigit("0000000000")).toBe(true)
    expect(NhsNumber.checkDigitOf("000000006")).toBeUndefined()
    expect(NhsNumber.checkDigitOf("943476591")).toBe(9)
  })

  it("says what is wrong without repeating the number", () => {
    const result = decode("123 456 7891")
    expect(Either.isLeft(result)).toBe(true)
    const message = String(Either.getLeft(result).pipe((_) => _._tag === "Some" ? _.value.message : ""))
    expect(message).toContain("check digit")
    expect(message).not.toContain("7891")
    expect(NhsNumber.parse("123 456 7891")).toEqual(Either.left(NhsNumber.invalidMessage))
  })

  it("refuses one digit repeated ten times, which passes the check digit but is never issued", () => {
    for (const digit of "0123456789") {
      const digits = digit.repeat(10)
      if (NhsNumber.hasValidCheckDigit(digits)) {
        expect(NhsNumber.parse(digits)).toEqual(Either.left(NhsNumber.repeatedDigitMessage))
        const error = Either.getLeft(decode(digits.replace(/(\d{3})(\d{3})/, "$1 $2 ")))
        expect(error._tag === "Some" && error.value.message).toContain(NhsNumber.repeatedDigitMessage)
      }
      expect(NhsNumber.isValid(digits)).toBe(false)
    }
    expect(NhsNumber.hasValidCheckDigit("1111111111")).toBe(true)
  })

  it("formats and masks", () => {
    const nhsNumber = Either.getOrThrow(NhsNumber.parse("9434765919"))
    expect(NhsNumber.format(nhsNumber)).toBe("943 476 5919")
    expect(NhsNumber.mask(nhsNumber)).toBe("*** *** 5919")
  })
})
