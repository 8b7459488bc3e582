/**
 * Reads the text of `/register-patient`: `<nhs number> <date of birth>`, e.g. `943 476 5919 22/10/2010`.
 * The NHS number may have spaces or hyphens; the date is ISO (`2010-10-22`) or UK (`22/10/2010`,
 * `22-10-2010`), never US order. `help` or nothing shows the usage. Every mistake gets a clear message that
 * never repeats the number or date typed.
 *
 * @since 0.1.0
 */
import * as DateOfBirth from "@hero-pds/core/DateOfBirth"
import * as NhsNumber from "@hero-pds/core/NhsNumber"
import * as Either from "effect/Either"

/**
 * The slash command, as set in `manifest.yml`.
 *
 * @since 0.1.0
 */
export const name = "/register-patient"

/**
 * The usage hint shown in Slack's command menu.
 *
 * @since 0.1.0
 */
export const usageHint = "<NHS number> <date of birth>, e.g. 943 476 5919 22/10/2010"

/**
 * What a valid command asks for.
 *
 * @since 0.1.0
 * @category models
 */
export type Command =
  | { readonly _tag: "Help" }
  | { readonly _tag: "Register"; readonly nhsNumber: NhsNumber.NhsNumber; readonly dob: DateOfBirth.DateOfBirth }

/**
 * The kinds of mistake the parser explains.
 *
 * @since 0.1.0
 * @category models
 */
export type MistakeKind =
  | "MissingNhsNumber"
  | "MissingDateOfBirth"
  | "NhsNumberNotDigits"
  | "NhsNumberLength"
  | "NhsNumberCheckDigit"
  | "DateUnreadable"
  | "DateTwoDigitYear"
  | "DateUsOrder"
  | "DateImpossible"
  | "DateInFuture"
  | "DateTooEarly"
  | "TooManyDates"

/**
 * A command that cannot be run, with what to fix. The message never contains the number or date typed.
 *
 * @since 0.1.0
 * @category models
 */
export interface Mistake {
  readonly _tag: "Mistake"
  readonly kind: MistakeKind
  readonly message: string
}

const mistake = (kind: MistakeKind, message: string): Either.Either<never, Mistake> =>
  Either.left({ _tag: "Mistake", kind, message })

const example = "`/register-patient 943 476 5919 22/10/2010`"
const dateForms = "DD/MM/YYYY (22/10/2010) or YYYY-MM-DD (2010-10-22)"

/** Looks like a date someone meant: three numeric parts split by `/`, `-` or `.`, one of them a year-ish. */
const dateLike = /^(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})$/
const isoDate = /^(\d{4})-(\d{1,2})-(\d{1,2})$/
const ukDate = /^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$/
const nhsChars = /^[\d-]+$/

const isDateLike = (token: string): boolean => {
  const match = dateLike.exec(token)
  if (match === null) return false
  return match[1]!.length !== 3 && match[3]!.length !== 3
}

/** Slack may turn typed numbers into links (`<tel:9434765919|943 476 5919>`): keep what was typed. */
const unlink = (text: string): string => text.replace(/<[^<>|]*\|([^<>]*)>/g, "$1").replace(/<([^<>|]*)>/g, "$1")

const pad = (n: number) => String(n).padStart(2, "0")

const isRealDate = (year: number, month: number, day: number): boolean => {
  const date = new Date(Date.UTC(year, month - 1, day))
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}

const parseDate = (token: string, today: string): Either.Either<DateOfBirth.DateOfBirth, Mistake> => {
  let year: number
  let month: number
  let day: number
  const iso = isoDate.exec(token)
  const uk = ukDate.exec(token)
  if (iso !== null) {
    year = Number(iso[1])
    month = Number(iso[2])
    day = Number(iso[3])
  } else if (uk !== null) {
    day = Number(uk[1])
    month = Number(uk[2])
    year = Number(uk[3])
    if (month > 12 && day <= 12 && isRealDate(year, day, month)) {
      return mistake(
        "DateUsOrder",
        `The date of birth looks like month/day order. Put the day first: ${dateForms}.`
      )
    }
  } else {
    const parts = dateLike.exec(token)
    if (parts !== null && parts[3]!.length === 2 && parts[1]!.length <= 2) {
      return mistake("DateTwoDigitYear", `Write the year of birth in full (4 digits): ${dateForms}.`)
    }
    return mistake("DateUnreadable", `I couldn't read the date of birth. Write it as ${dateForms}.`)
  }
  if (!isRealDate(year, month, day)) {
    return mistake("DateImpossible", `The date of birth is not a real calendar date. Write it as ${dateForms}.`)
  }
  const normalized = `${String(year).padStart(4, "0")}-${pad(month)}-${pad(day)}`
  if (normalized > today) return mistake("DateInFuture", "The date of birth is in the future. Check it and try again.")
  if (normalized < "1900-01-01") {
    return mistake("DateTooEarly", "The date of birth is before 1900. Check it and try again.")
  }
  return Either.mapLeft(
    DateOfBirth.parse(normalized),
    () => ({ _tag: "Mistake", kind: "DateImpossible", message: `Check the date of birth: ${dateForms}.` }) as Mistake
  )
}

const parseNhsNumber = (tokens: ReadonlyArray<string>): Either.Either<NhsNumber.NhsNumber, Mistake> => {
  if (tokens.length === 0) {
    return mistake(
      "MissingNhsNumber",
      `The NHS number is missing. Type the NHS number, then the date of birth: ${example}.`
    )
  }
  if (!tokens.every((token) => nhsChars.test(token))) {
    return mistake(
      "NhsNumberNotDigits",
      `The NHS number should be 10 digits (spaces or hyphens are fine), followed by the date of birth: ${example}.`
    )
  }
  const digits = NhsNumber.normalize(tokens.join(""))
  if (digits.length !== 10) {
    return mistake(
      "NhsNumberLength",
      `An NHS number has exactly 10 digits; that one has ${digits.length}. Check it and try again.`
    )
  }
  return Either.mapLeft(NhsNumber.parse(digits), () =>
    ({
      _tag: "Mistake",
      kind: "NhsNumberCheckDigit",
      message:
        "That is not a valid NHS number: its check digit doesn't match. Check for a mistyped digit and try again."
    }) as Mistake)
}

/**
 * Parses the command text. `today` is the current date (`YYYY-MM-DD`) that dates of birth may not pass.
 *
 * @since 0.1.0
 */
export const parse = (text: string, today: string): Either.Either<Command, Mistake> => {
  const tokens = unlink(text).trim().split(/\s+/).filter((token) => token !== "")
  if (tokens.length === 0 || (tokens.length === 1 && /^(help|\?|usage)$/i.test(tokens[0]!))) {
    return Either.right({ _tag: "Help" })
  }
  const dates = tokens.filter(isDateLike)
  if (dates.length > 1) {
    return mistake("TooManyDates", `Give one NHS number and one date of birth: ${example}.`)
  }
  const rest = tokens.filter((token) => !isDateLike(token))
  if (dates.length === 0) {
    const digits = rest.every((token) => nhsChars.test(token)) ? NhsNumber.normalize(rest.join("")).length : 0
    if (digits === 10) {
      return mistake("MissingDateOfBirth", `The date of birth is missing. Add it after the NHS number: ${example}.`)
    }
    if (digits > 10) {
      return mistake(
        "DateUnreadable",
        `I couldn't find a date of birth. Write it as ${dateForms}, after the NHS number: ${example}.`
      )
    }
  }
  const nhsNumber = parseNhsNumber(rest)
  if (Either.isLeft(nhsNumber)) return Either.left(nhsNumber.left)
  if (dates.length === 0) {
    return mistake("MissingDateOfBirth", `The date of birth is missing. Add it after the NHS number: ${example}.`)
  }
  return Either.map(parseDate(dates[0]!, today), (dob) => ({ _tag: "Register", nhsNumber: nhsNumber.right, dob }))
}

/**
 * Today's date in the UK (`YYYY-MM-DD`) at a time in epoch milliseconds: UTC+1 at most, so never behind.
 *
 * @since 0.1.0
 */
export const todayAt = (millis: number): string => new Date(millis + 60 * 60 * 1000).toISOString().slice(0, 10)
