/**
 * NHS numbers: a branded, validated 10-digit string, with helpers to format and mask it.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"

const separators = /[\s-]/g
const tenDigits = /^\d{10}$/

/**
 * The Modulus 11 check digit of the first nine digits (weights 10..2; 11 -> 0), or `undefined` when it would be
 * 10: no valid NHS number starts with those nine digits.
 *
 * @since 0.1.0
 */
export const checkDigitOf = (nineDigits: string): number | undefined => {
  let sum = 0
  for (let i = 0; i < 9; i++) sum += Number(nineDigits[i]) * (10 - i)
  const check = (11 - (sum % 11)) % 11
  return check === 10 ? undefined : check
}

/**
 * Whether ten digits carry a correct Modulus 11 check digit (weights 10..2; 11 -> 0; 10 -> invalid).
 *
 * @since 0.1.0
 */
export const hasValidCheckDigit = (digits: string): boolean =>
  tenDigits.test(digits) && checkDigitOf(digits) === Number(digits[9])

/**
 * Strips the spaces and hyphens people type (`943 476 5919`, `943-476-5919`).
 *
 * @since 0.1.0
 */
export const normalize = (input: string): string => input.replace(separators, "")

/**
 * The message given for an invalid NHS number. It never repeats the input, which is patient data.
 *
 * @since 0.1.0
 */
export const invalidMessage = "must be a 10-digit NHS number with a valid check digit (spaces and hyphens are fine)"

/**
 * The message given for one digit repeated ten times (`1111111111`): such numbers pass the check digit but are
 * never issued.
 *
 * @since 0.1.0
 */
export const repeatedDigitMessage = "must be a real NHS number: one digit repeated ten times is never issued"

const repeated = /^(\d)\1{9}$/

/**
 * What is wrong with ten digits as an NHS number, or `undefined` when they are one.
 *
 * @since 0.1.0
 */
export const problemOf = (digits: string): string | undefined =>
  !hasValidCheckDigit(digits) ? invalidMessage : repeated.test(digits) ? repeatedDigitMessage : undefined

/**
 * Whether a string, as typed, is a valid NHS number.
 *
 * @since 0.1.0
 */
export const isValid = (input: string): boolean => problemOf(normalize(input)) === undefined

/**
 * A valid NHS number: exactly 10 digits, Modulus 11 checked, not one digit repeated, no separators.
 *
 * @since 0.1.0
 * @category schemas
 */
export const NhsNumberDigits = /* @__PURE__ */ (() =>
  Schema.String.pipe(
    Schema.filter((digits) => problemOf(digits) ?? true),
    Schema.brand("NhsNumber")
  ))()

/**
 * @since 0.1.0
 * @category models
 */
export type NhsNumber = typeof NhsNumberDigits.Type

/**
 * Decodes an NHS number as people type it (with or without spaces or hyphens) into its 10 digits.
 *
 * @since 0.1.0
 * @category schemas
 */
export const NhsNumber: Schema.Schema<NhsNumber, string> = /* @__PURE__ */ (() =>
  Schema.transform(
    Schema.String.annotations({ message: () => invalidMessage }),
    NhsNumberDigits.annotations({ message: (issue) => problemOf(String(issue.actual)) ?? invalidMessage }),
    {
      strict: true,
      decode: normalize,
      encode: (digits) => digits
    }
  ).annotations({ identifier: "NhsNumber", description: "NHS number" }))()

/**
 * Decodes an NHS number as typed, or explains why it is not one (without repeating it).
 *
 * @since 0.1.0
 * @category constructors
 */
export const parse = (input: string): Either.Either<NhsNumber, string> => {
  const digits = normalize(input)
  const problem = problemOf(digits)
  return problem === undefined ? Either.right(digits as NhsNumber) : Either.left(problem)
}

/**
 * Formats an NHS number the way the NHS prints it: `943 476 5919`.
 *
 * @since 0.1.0
 */
export const format = (nhsNumber: NhsNumber): string =>
  `${nhsNumber.slice(0, 3)} ${nhsNumber.slice(3, 6)} ${nhsNumber.slice(6)}`

/**
 * Masks an NHS number for logs and messages, keeping only the last four digits: `*** *** 5919`.
 *
 * @since 0.1.0
 */
export const mask = (nhsNumber: NhsNumber): string => `*** *** ${nhsNumber.slice(6)}`
