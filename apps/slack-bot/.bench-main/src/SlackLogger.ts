/**
 * JSON-lines logging: one JSON object per line with `time`, `level`, `message` and the log annotations
 * (e.g. `event`, `correlationId`). As a last line of defence every value is scrubbed: anything shaped like an
 * NHS number is masked (`*** *** 5919`) and anything shaped like a date of birth is replaced.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as HashMap from "effect/HashMap"
import type * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"

/**
 * Where lines go: `console.log` unless told otherwise (tests capture them).
 *
 * @since 0.1.0
 * @category models
 */
export type Sink = (line: string) => void

const nhsShaped = /(?<![\d*])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?!\d)/g
const dateShaped = /(?<!\d)(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4})(?!\d)/g

/**
 * Masks NHS-number-shaped digits and replaces date-shaped text in a string.
 *
 * @since 0.1.0
 */
export const scrub = (text: string): string =>
  text.replace(nhsShaped, (_, _a, _b, last: string) => `*** *** ${last}`).replace(dateShaped, "[date]")

const scrubValue = (value: unknown): unknown => {
  if (typeof value === "string") return scrub(value)
  if (typeof value === "number" || typeof value === "boolean" || value === null || value === undefined) return value
  try {
    return JSON.parse(scrub(JSON.stringify(value)))
  } catch {
    return "[unserialisable]"
  }
}

const messageText = (message: unknown): string =>
  Array.isArray(message) ?
    message.map((part) => typeof part === "string" ? part : JSON.stringify(part)).join(" ")
    : typeof message === "string"
    ? message
    : JSON.stringify(message)

/**
 * The JSON-lines logger writing to `sink`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (sink: Sink = (line) => console.log(line)): Logger.Logger<unknown, void> =>
  Logger.make(({ annotations, cause, date, logLevel, message }) => {
    const entry: Record<string, unknown> = {
      time: date.toISOString(),
      level: logLevel.label,
      message: scrub(messageText(message))
    }
    for (const [key, value] of HashMap.toEntries(annotations)) {
      if (key !== "time" && key !== "level" && key !== "message") entry[key] = scrubValue(value)
    }
    if (!Cause.isEmpty(cause)) entry.cause = scrub(Cause.pretty(cause, { renderErrorCause: false }))
    sink(JSON.stringify(entry))
  })

/**
 * Replaces Effect's default logger with the JSON-lines logger.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (sink?: Sink): Layer.Layer<never> => Logger.replace(Logger.defaultLogger, make(sink))
