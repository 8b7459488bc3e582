/**
 * The privacy check applied to every log line a test captures: no full NHS number (in any spacing), no date of
 * birth (in any accepted form), no signing secret, no API key. Fast enough for thousands of lines and values:
 * each line is probed once per distinct length of the forbidden spellings.
 */
import { expect } from "vitest"

const spellings = (digits: string): ReadonlyArray<string> => [
  digits,
  `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`,
  `${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6)}`
]

const dobSpellings = (iso: string): ReadonlyArray<string> => {
  const [y, m, d] = iso.split("-")
  return [iso, `${d}/${m}/${y}`, `${d}-${m}-${y}`, `${Number(d)}/${Number(m)}/${y}`, `${Number(d)}-${Number(m)}-${y}`]
}

export interface Secrets {
  /** Full NHS numbers as 10 digits. */
  readonly nhsNumbers: Iterable<string>
  /** Dates of birth as ISO `YYYY-MM-DD`. */
  readonly dobs: Iterable<string>
  readonly secrets: Iterable<string>
}

export interface Leak {
  /** The index of the text in the list checked. */
  readonly index: number
  /** What was found (a spelling of a value, or an NHS number found once spaces and hyphens are removed). */
  readonly value: string
}

/** Probes every position of `text` for members of `forbidden`, one pass per distinct length. */
const probe = (text: string, forbidden: ReadonlyMap<number, ReadonlySet<string>>): string | undefined => {
  for (const [length, values] of forbidden) {
    for (let i = 0; i + length <= text.length; i++) {
      const slice = text.slice(i, i + length)
      if (values.has(slice)) return slice
    }
  }
  return undefined
}

const byLength = (values: Iterable<string>): ReadonlyMap<number, ReadonlySet<string>> => {
  const map = new Map<number, Set<string>>()
  for (const value of values) {
    if (value === "") continue
    const set = map.get(value.length) ?? new Set<string>()
    set.add(value)
    map.set(value.length, set)
  }
  return map
}

/** Every text that contains a forbidden value, with the first value found in it. */
export const findLeaks = (texts: ReadonlyArray<string>, secrets: Secrets): ReadonlyArray<Leak> => {
  const nhsNumbers = [...secrets.nhsNumbers]
  const forbidden = byLength([
    ...nhsNumbers.flatMap(spellings),
    ...[...secrets.dobs].flatMap(dobSpellings),
    ...secrets.secrets
  ])
  const digits = byLength(nhsNumbers)
  const leaks: Array<Leak> = []
  texts.forEach((text, index) => {
    const value = probe(text, forbidden) ?? probe(text.replace(/[\s-]/g, ""), digits)
    if (value !== undefined) leaks.push({ index, value })
  })
  return leaks
}

/** Fails, quoting the offending text, when any text leaks a forbidden value. */
export const expectClean = (lines: ReadonlyArray<string>, secrets: Secrets, label = "a log line"): void => {
  const leaks = findLeaks(lines, secrets).map((leak) =>
    `${label} contains ${JSON.stringify(leak.value)}: ${lines[leak.index]!.slice(0, 500)}`
  )
  expect(leaks).toEqual([])
}

/**
 * The app's own usage examples (`943 476 5919 22/10/2010`, `9434765919 22 Oct 2010`, the date hints) taken out
 * of a reply: they are documentation, but the number and date belong to sandbox patients too.
 */
export const withoutExamples = (text: string): string =>
  text
    .replaceAll("943 476 5919 22/10/2010", "[example]")
    .replaceAll("9434765919 22 Oct 2010", "[example]")
    .replaceAll("(22/10/2010, 22.10.2010, 22 October 2010) or as 2010-10-22", "[date forms]")
    .replaceAll("day first (22/10/2010, 22.10.2010 or 22 Oct 2010) or as 2010-10-22", "[date forms]")
    .replaceAll("e.g. 22/10/2010", "[date example]")

/** Every captured line must be one JSON object. */
export const expectJsonLines = (lines: ReadonlyArray<string>): ReadonlyArray<Record<string, unknown>> =>
  lines.map((line) => {
    const parsed = JSON.parse(line) as Record<string, unknown>
    expect(typeof parsed).toBe("object")
    return parsed
  })
