/**
 * Synthetic patient data for fuzzing and chaos runs: NHS numbers with a valid Modulus 11 check digit (or a wrong
 * one on purpose), dates of birth, and the spellings staff type them in.
 */
import * as NhsNumber from "@hero-pds/core/NhsNumber"
import * as fc from "effect/FastCheck"

/** The `n`th valid NHS number at or after `start` (nine digits), skipping prefixes with no check digit. */
export const nhsNumberFrom = (nine: number): string | undefined => {
  const prefix = String(nine).padStart(9, "0").slice(-9)
  const check = NhsNumber.checkDigitOf(prefix)
  const digits = `${prefix}${check}`
  return check !== undefined && NhsNumber.isValid(digits) ? digits : undefined
}

/** The same number with a wrong check digit. */
export const withWrongCheckDigit = (digits: string): string =>
  `${digits.slice(0, 9)}${(Number(digits[9]) + 1 + (Number(digits[0]) % 9)) % 10}`

export type NhsSpelling = "plain" | "spaced" | "hyphenated" | "mixed"

export const spellNhsNumber = (digits: string, spelling: NhsSpelling): string =>
  spelling === "plain"
    ? digits
    : spelling === "spaced"
    ? `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`
    : spelling === "hyphenated"
    ? `${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6)}`
    : `${digits.slice(0, 3)} ${digits.slice(3, 6)}-${digits.slice(6)}`

export type DateSpelling = "iso" | "ukSlash" | "ukHyphen" | "ukShort" | "ukDot" | "monthName" | "monthWord"

const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
const monthWords = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December"
]

export const spellDate = (iso: string, spelling: DateSpelling): string => {
  const [y, m, d] = iso.split("-") as [string, string, string]
  return spelling === "iso"
    ? iso
    : spelling === "ukSlash"
    ? `${d}/${m}/${y}`
    : spelling === "ukHyphen"
    ? `${d}-${m}-${y}`
    : spelling === "ukDot"
    ? `${d}.${m}.${y}`
    : spelling === "monthName"
    ? `${Number(d)} ${months[Number(m) - 1]} ${y}`
    : spelling === "monthWord"
    ? `${d} ${monthWords[Number(m) - 1]} ${y}`
    : `${Number(d)}/${Number(m)}/${y}`
}

const isoOf = (date: Date): string => date.toISOString().slice(0, 10)

/** A valid NHS number (10 digits, not one digit repeated). */
export const nhsNumber: fc.Arbitrary<string> = fc
  .integer({ min: 0, max: 999_999_999 })
  .map(nhsNumberFrom)
  .filter((digits): digits is string => digits !== undefined && !/^(\d)\1{9}$/.test(digits))

/** A real date of birth from 1900-01-01 to 2025-12-31, ISO. */
export const dob: fc.Arbitrary<string> = fc
  .date({ min: new Date(Date.UTC(1900, 0, 1)), max: new Date(Date.UTC(2025, 11, 31)), noInvalidDate: true })
  .map(isoOf)

export const nhsSpelling: fc.Arbitrary<NhsSpelling> = fc.constantFrom("plain", "spaced", "hyphenated", "mixed")
export const dateSpelling: fc.Arbitrary<DateSpelling> = fc.constantFrom(
  "iso",
  "ukSlash",
  "ukHyphen",
  "ukShort",
  "ukDot",
  "monthName",
  "monthWord"
)

/** A small seeded PRNG (mulberry32), for reproducible chaos streams. */
export const prng = (seed: number) => {
  let state = seed >>> 0
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1))
  const pick = <A>(items: ReadonlyArray<A>): A => items[int(0, items.length - 1)]!
  const bytes = (length: number): Uint8Array<ArrayBuffer> => Uint8Array.from({ length }, () => int(0, 255))
  return { next, int, pick, bytes }
}

export type Prng = ReturnType<typeof prng>

/** A random real date of birth (ISO) from the PRNG. */
export const randomDob = (random: Prng): string =>
  isoOf(new Date(Date.UTC(1900, 0, 1) + random.int(0, 45_000) * 86_400_000))
