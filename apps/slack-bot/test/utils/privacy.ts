/**
 * The privacy check applied to every log line a test captures: no full NHS number (in any spacing), no date of
 * birth (in any accepted form), no signing secret, no API key.
 */
import { expect } from "vitest"

const spellings = (digits: string): ReadonlyArray<string> => [
  digits,
  `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`,
  `${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6)}`
]

const dobSpellings = (iso: string): ReadonlyArray<string> => {
  const [y, m, d] = iso.split("-")
  return [iso, `${d}/${m}/${y}`, `${d}-${m}-${y}`, `${Number(d)}/${Number(m)}/${y}`]
}

export interface Secrets {
  readonly nhsNumbers: ReadonlyArray<string>
  readonly dobs: ReadonlyArray<string>
  readonly secrets: ReadonlyArray<string>
}

export const expectClean = (lines: ReadonlyArray<string>, secrets: Secrets): void => {
  const forbidden = [
    ...secrets.nhsNumbers.flatMap(spellings),
    ...secrets.dobs.flatMap(dobSpellings),
    ...secrets.secrets
  ]
  for (const line of lines) {
    const compact = line.replace(/[\s-]/g, "")
    for (const value of forbidden) {
      expect(line, `a log line contains ${JSON.stringify(value)}`).not.toContain(value)
    }
    for (const digits of secrets.nhsNumbers) {
      expect(compact, "a log line contains an NHS number").not.toContain(digits)
    }
  }
}

/** Every captured line must be one JSON object. */
export const expectJsonLines = (lines: ReadonlyArray<string>): ReadonlyArray<Record<string, unknown>> =>
  lines.map((line) => {
    const parsed = JSON.parse(line) as Record<string, unknown>
    expect(typeof parsed).toBe("object")
    return parsed
  })
