/**
 * Dates of birth: ISO `YYYY-MM-DD` on the wire, a real calendar date between 1900-01-01 and today.
 * A parser also reads the UK forms people type (`22/10/2010`, `22-10-2010`), never US order.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"

const iso = /^(\d{4})-(\d{2})-(\d{2})$/
const uk = /^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$/
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
export const unreadableMessage = "must be a date of birth as YYYY-MM-DD, DD/MM/YYYY or DD-MM-YYYY"

const pad = (n: number, width: number) => String(n).padStart(width, "0")

const toIso = (year: number, month: number, day: number): string | undefined => {
  const date = new Date(Date.UTC(year, month - 1, day))
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
    ? `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`
    : undefined
}

const today = (): string => new Date(Date.now() + ukOffsetMillis).toISOString().slice(0, 10)

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
export const DateOfBirth = Schema.String.annotations({ message: () => invalidMessage }).pipe(
  Schema.filter(isValid),
  Schema.brand("DateOfBirth")
).annotations({ identifier: "DateOfBirth", message: () => ({ message: invalidMessage, override: true }) })

/**
 * @since 0.1.0
 * @category models
 */
export type DateOfBirth = typeof DateOfBirth.Type

/**
 * Reads a date of birth as staff type it: `2010-10-22`, `22/10/2010` or `22-10-2010` (day first, always).
 * Explains what is wrong without repeating the input.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parse = (input: string): Either.Either<DateOfBirth, string> => {
  const text = input.trim()
  const ukMatch = uk.exec(text)
  const candidate = ukMatch === null
    ? iso.test(text) ? text : undefined
    : toIso(Number(ukMatch[3]), Number(ukMatch[2]), Number(ukMatch[1])) ?? ""
  if (candidate === undefined) return Either.left(unreadableMessage)
  return isValid(candidate) ? Either.right(candidate as DateOfBirth) : Either.left(invalidMessage)
}
