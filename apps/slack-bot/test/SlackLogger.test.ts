import * as Effect from "effect/Effect"
import { describe, expect, it } from "vitest"
import * as SlackLogger from "../src/SlackLogger.js"

describe("SlackLogger", () => {
  it("writes one JSON object per line with the annotations", () => {
    const lines: Array<string> = []
    Effect.runSync(
      Effect.logInfo("registration").pipe(
        Effect.annotateLogs({ event: "registration", outcome: "Registered" }),
        Effect.provide(SlackLogger.layer((line) => lines.push(line)))
      )
    )
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: "INFO", message: "registration", event: "registration" })
  })

  it("masks anything shaped like an NHS number and hides anything shaped like a date, as a last line of defence", () => {
    const lines: Array<string> = []
    Effect.runSync(
      Effect.logWarning("oops 943 476 5919 / 943-476-5919 / 9434765919 born 22/10/2010 or 2010-10-22").pipe(
        Effect.annotateLogs({ detail: { nested: "9434765919" } }),
        Effect.provide(SlackLogger.layer((line) => lines.push(line)))
      )
    )
    const entry = JSON.parse(lines[0]!)
    expect(entry.message).toBe("oops *** *** 5919 / *** *** 5919 / *** *** 5919 born [date] or [date]")
    expect(entry.detail).toEqual({ nested: "*** *** 5919" })
  })
})
