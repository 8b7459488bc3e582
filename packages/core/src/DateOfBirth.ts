/**
 * Dates of birth: ISO `YYYY-MM-DD` on the wire, a real calendar date between 1900-01-01 and today.
 * One parser reads the UK forms people type (`22/10/2010`, `22.10.2010`, `22 Oct 2010`), never US order: the CLI,
 * bulk and the Slack app all use it.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"

const iso = /^(\d{4})-(\d{2})-(\d{2})$/
const earliest = "1900-01-01"
/** London is UTC or UTC+1: an hour ahead of UTC is never before today's date in the UK. */
const ukOffsetMillis = 60 * 60 * 1000

/**
 * The message given for an invalid date of birth. It never repeats the input, which is patient data.
 *
 * @since 0.1.0
 */
export const invalidMessage = "must be a real date of birth in YYYY-MM-DD form, from 1900-01-01 up to today"

/**
 * The message given when text is in none of the accepted forms.
 *
 * @since 0.1.0
 */
export const unreadableMessage =
  "must be a date of birth, day first: YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY, DD.MM.YYYY or 22 Oct 2010"

const pad = (n: number, width: number) => String(n).padStart(width, "0")

const isLeap = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
const monthDays = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/** A real calendar date (no `Date` built), as ISO text. Years before 1000 are never dates of birth here. */
const toIso = (year: number, month: number, day: number): string | undefined =>
  year >= 1000 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 &&
    day <= (month === 2 && isLeap(year) ? 29 : monthDays[month - 1]!)
    ? `${year}-${pad(month, 2)}-${pad(day, 2)}`
    : undefined

const dayMillis = 24 * 60 * 60 * 1000
/** Today's UK date, worked out once per day: [from, until) is the span of `Date.now()` it holds for. */
let todayCache = { date: "", from: 0, until: 0 }

const today = (): string => {
  const now = Date.now()
  if (now < todayCache.from || now >= todayCache.until) {
    const from = Math.floor((now + ukOffsetMillis) / dayMillis) * dayMillis - ukOffsetMillis
    todayCache = { date: new Date(now + ukOffsetMillis).toISOString().slice(0, 10), from, until: from + dayMillis }
  }
  return todayCache.date
}

/**
 * Whether an ISO `YYYY-MM-DD` string is a real calendar date from 1900-01-01 up to today.
 *
 * @since 0.1.0
 */
export const isValid = (input: string): boolean => {
  const match = iso.exec(input)
  if (match === null) return false
  const normalized = toIso(Number(match[1]), Number(match[2]), Number(match[3]))
  return normalized === input && input >= earliest && input <= today()
}

/**
 * A valid date of birth in ISO `YYYY-MM-DD` form.
 *
 * @since 0.1.0
 * @category schemas
 */
export const DateOfBirth = /* @__PURE__ */ (() =>
  Schema.String.annotations({ message: () => invalidMessage }).pipe(
    Schema.filter(isValid),
    Schema.brand("DateOfBirth")
  ).annotations({
    identifier: "DateOfBirth",
    description: "YYYY-MM-DD",
    message: () => ({ message: invalidMessage, override: true })
  }))()

/**
 * @since 0.1.0
 * @category models
 */
export type DateOfBirth = typeof DateOfBirth.Type

const monthNames = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december"
]

/** `Oct`, `Oct.`, `Sept` or `October`, any case: the month's number. */
const monthOf = (word: string): number | undefined => {
  const lower = word.toLowerCase().replace(/\.$/, "")
  const index = monthNames.findIndex((name) => lower.length >= 3 && name.startsWith(lower))
  return index === -1 ? undefined : index + 1
}

const numeric = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d+)$/
const named = /^(\d{1,2})(?:st|nd|rd|th)?[\s-]+([A-Za-z]+\.?)[\s-]+(\d+)$/
const isoLike = /^(\d{4})-(\d{1,2})-(\d{1,2})$/

/**
 * The message given for a date that can only be read month first (`12/25/1990`).
 *
 * @since 0.1.0
 */
export const monthFirstMessage =
  "looks like a US (month-first) date: write the day first, e.g. 25/12/1990 for 25 December 1990"

/**
 * The message given for a two-digit year, which could be either century.
 *
 * @since 0.1.0
 */
export const twoDigitYearMessage = "needs a four-digit year, e.g. 22/10/2010 (a two-digit year could be either century)"

const checked = (year: string, month: number, day: number): Either.Either<DateOfBirth, string> => {
  if (year.length !== 4) return Either.left(twoDigitYearMessage)
  const candidate = toIso(Number(year), month, day)
  return candidate !== undefined && isValid(candidate)
    ? Either.right(candidate as DateOfBirth)
    : Either.left(invalidMessage)
}

/**
 * Reads a date of birth as staff type it, day first always: `2010-10-22`, `22/10/2010`, `22-10-2010`,
 * `22.10.2010`, `22 Oct 2010` or `22 October 2010`. A date that can only be month first (`10/22/2010`) and a
 * two-digit year are refused with a message that says so; no message repeats the input.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parse = (input: string): Either.Either<DateOfBirth, string> => {
  const text = input.trim()
  const iso = isoLike.exec(text)
  if (iso !== null) return checked(iso[1]!, Number(iso[2]), Number(iso[3]))
  const dayFirst = numeric.exec(text)
  if (dayFirst !== null) {
    const [day, month] = [Number(dayFirst[1]), Number(dayFirst[2])]
    return month > 12 && day <= 12 ? Either.left(monthFirstMessage) : checked(dayFirst[3]!, month, day)
  }
  const words = named.exec(text)
  const month = words === null ? undefined : monthOf(words[2]!)
  return words === null || month === undefined
    ? Either.left(unreadableMessage)
    : checked(words[3]!, month, Number(words[1]))
}
