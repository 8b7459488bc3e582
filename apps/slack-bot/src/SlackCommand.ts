/**
 * Reads the text of `/register-patient`: `<nhs number> <date of birth>`, e.g. `943 476 5919 22/10/2010`.
 * The NHS number may have spaces or hyphens; the date is read by core's one parser (`DateOfBirth.parse`: ISO,
 * `22/10/2010`, `22-10-2010`, `22.10.2010`, `22 Oct 2010`, `22 October 2010`; never US order or a two-digit
 * year). `help` or nothing shows the usage. Every mistake gets a clear message that never repeats the number or
 * date typed.
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
  | "NhsNumberRepeatedDigit"
  | "DateUnreadable"
  | "DateTwoDigitYear"
  | "DateUsOrder"
  | "DateInvalid"
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
const dateForms = "day first (22/10/2010, 22.10.2010 or 22 Oct 2010) or as 2010-10-22"

/** Looks like a date someone meant: three numeric parts split by `/`, `-` or `.`, none of three digits. */
const dateLike = /^(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})$/
const word = /^[A-Za-z]+\.?$/
const nhsChars = /^[\d-]+$/

const isDateLike = (token: string): boolean => {
  const match = dateLike.exec(token)
  return match !== null && match[1]!.length !== 3 && match[3]!.length !== 3
}

/** Slack may turn typed numbers into links (`<tel:9434765919|943 476 5919>`): keep what was typed. */
const unlink = (text: string): string => text.replace(/<[^<>|]*\|([^<>]*)>/g, "$1").replace(/<([^<>|]*)>/g, "$1")

/** Core's messages complete "The date of birth …"; the kind says which mistake it was. */
const dateMistakes: ReadonlyArray<readonly [string, MistakeKind, string]> = [
  [DateOfBirth.monthFirstMessage, "DateUsOrder", `The date of birth ${DateOfBirth.monthFirstMessage}.`],
  [DateOfBirth.twoDigitYearMessage, "DateTwoDigitYear", `The date of birth ${DateOfBirth.twoDigitYearMessage}.`],
  [DateOfBirth.unreadableMessage, "DateUnreadable", `I couldn't read the date of birth. Write it ${dateForms}.`],
  [
    DateOfBirth.invalidMessage,
    "DateInvalid",
    "The date of birth is not a real date from 1 January 1900 up to today. Check it and try again."
  ]
]

const parseDate = (text: string): Either.Either<DateOfBirth.DateOfBirth, Mistake> =>
  Either.mapLeft(DateOfBirth.parse(text), (problem): Mistake => {
    const [, kind, message] = dateMistakes.find(([known]) => known === problem) ?? dateMistakes[2]!
    return { _tag: "Mistake", kind, message }
  })

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
  return Either.mapLeft(NhsNumber.parse(digits), (problem): Mistake =>
    problem === NhsNumber.repeatedDigitMessage
      ? { _tag: "Mistake", kind: "NhsNumberRepeatedDigit", message: `The NHS number ${problem}.` }
      : {
        _tag: "Mistake",
        kind: "NhsNumberCheckDigit",
        message:
          "That is not a valid NHS number: its check digit doesn't match. Check for a mistyped digit and try again."
      })
}

/**
 * Splits the tokens into the date (one token such as `22/10/2010`, or three such as `22 Oct 2010`) and the rest.
 * `undefined` when more than one date was given.
 */
const splitDate = (
  tokens: ReadonlyArray<string>
): { readonly date: string | undefined; readonly rest: ReadonlyArray<string> } | undefined => {
  const words = tokens.flatMap((token, index) => word.test(token) ? [index] : [])
  const numeric = tokens.filter(isDateLike)
  if (words.length + numeric.length > 1) return undefined
  if (numeric.length === 1) return { date: numeric[0], rest: tokens.filter((token) => !isDateLike(token)) }
  const at = words[0]
  if (at === undefined || at === 0 || at === tokens.length - 1) return { date: undefined, rest: tokens }
  return { date: tokens.slice(at - 1, at + 2).join(" "), rest: [...tokens.slice(0, at - 1), ...tokens.slice(at + 2)] }
}

/**
 * Parses the command text. Dates of birth after today (in the UK) are refused.
 *
 * @since 0.1.0
 */
export const parse = (text: string): Either.Either<Command, Mistake> => {
  const tokens = unlink(text).trim().split(/\s+/).filter((token) => token !== "")
  if (tokens.length === 0 || (tokens.length === 1 && /^(help|\?|usage)$/i.test(tokens[0]!))) {
    return Either.right({ _tag: "Help" })
  }
  const split = splitDate(tokens)
  if (split === undefined) return mistake("TooManyDates", `Give one NHS number and one date of birth: ${example}.`)
  const { date, rest } = split
  if (date === undefined) {
    const digits = rest.every((token) => nhsChars.test(token)) ? NhsNumber.normalize(rest.join("")).length : 0
    if (digits === 10) {
      return mistake("MissingDateOfBirth", `The date of birth is missing. Add it after the NHS number: ${example}.`)
    }
    if (digits > 10) {
      return mistake(
        "DateUnreadable",
        `I couldn't find a date of birth. Write it ${dateForms}, after the NHS number: ${example}.`
      )
    }
  }
  const nhsNumber = parseNhsNumber(rest)
  if (Either.isLeft(nhsNumber)) return Either.left(nhsNumber.left)
  if (date === undefined) {
    return mistake("MissingDateOfBirth", `The date of birth is missing. Add it after the NHS number: ${example}.`)
  }
  return Either.map(parseDate(date), (dob) => ({ _tag: "Register", nhsNumber: nhsNumber.right, dob }))
}
