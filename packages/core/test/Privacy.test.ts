import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as TestClock from "effect/TestClock"
import * as Tracer from "effect/Tracer"
import * as HeroClient from "../src/HeroClient.js"
import type * as RegisterPds from "../src/RegisterPds.js"
import { json, registered, type Reply, scripted } from "./utils/scripted.js"

const apiKey = "test-key-s3cr3t"
const secrets = [apiKey, "9434765919", "943 476 5919", "943-476-5919", "2010-10-22", "22/10/2010", "9434765918"]

const replies: ReadonlyArray<Reply> = [
  registered(),
  json(200, { message: "Verify", login_url: "https://patient.test/verify/1" }),
  json(400, {
    error: true,
    statusCode: 400,
    message: [{ code: "invalid", path: ["nhs_number"], received: "9434765919" }]
  }),
  json(401, { message: "bad key test-key-s3cr3t" }),
  json(403, {}),
  json(404, { message: "no patient 9434765919 born 2010-10-22" }),
  json(429, {}, { "retry-after": "1" }),
  json(429, {}, { "retry-after": "600" }),
  json(500, {}),
  json(503, {}),
  json(418, { echo: "9434765919" }),
  { status: 200, body: "<html>9434765919 2010-10-22</html>", headers: { "content-type": "text/html" } },
  { drop: true },
  { ...registered(), delayMs: 60_000 }
]

const inputs: ReadonlyArray<unknown> = [
  { nhsNumber: "943 476 5919", dob: "2010-10-22" },
  { nhsNumber: "9434765918", dob: "2010-10-22" },
  { nhsNumber: "943-476-5919", dob: "22/10/2010" },
  { nhsNumber: 9434765919, dob: 20101022 },
  { nhsNumber: "9434765919", dateOfBirth: "2010-10-22" },
  { forename: "Jane", surname: "Smith", dob: "2010-10-22", postcode: "LS1 6AE" }
]

/** A tracer that delegates to Effect's own and keeps every span it made. */
const recordingTracer = (spans: Array<Tracer.Span>) =>
  Effect.map(Effect.tracer, (native) =>
    Tracer.make({
      context: native.context,
      span: (...args) => {
        const span = native.span(...args)
        spans.push(span)
        return span
      }
    }))

describe("privacy", () => {
  it.effect("no error message, log line or span attribute contains the API key, an NHS number or a date of birth", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const spans: Array<Tracer.Span> = []
      const logger = Logger.make(({ annotations, message }) => {
        seen.push(JSON.stringify({ message, annotations: [...annotations] }))
      })
      const tracer = yield* recordingTracer(spans)
      let calls = 0
      for (const reply of replies) {
        for (const input of inputs) {
          const { layer } = scripted([reply, reply, reply, reply], { apiKey })
          const fiber = yield* Effect.fork(
            HeroClient.registerPds(input as RegisterPds.Input).pipe(
              Effect.provide(layer),
              Effect.withTracer(tracer),
              Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
              Logger.withMinimumLogLevel(LogLevel.All)
            )
          )
          yield* TestClock.adjust(10 * 60_000)
          const exit = yield* Fiber.await(fiber)
          calls++
          if (Exit.isFailure(exit)) {
            seen.push(Cause.pretty(exit.cause))
            const error = Cause.squash(exit.cause) as Error
            seen.push(String(error), error.message, JSON.stringify(error), error.stack ?? "")
          }
        }
      }
      for (const span of spans) {
        seen.push(span.name, JSON.stringify([...span.attributes]))
        // What exporters record of an ended span: its failure, never its success value.
        if (span.status._tag === "Ended" && Exit.isFailure(span.status.exit)) {
          seen.push(Cause.pretty(span.status.exit.cause))
        }
      }
      expect(calls).toBe(replies.length * inputs.length)
      expect(spans.map((span) => span.name)).toContain("HeroClient.registerPds")
      expect(seen.some((line) => line.includes("*** *** 5919"))).toBe(true)
      expect(seen.join("\n").length).toBeGreaterThan(10_000)
      for (const secret of secrets) {
        const leaks = seen.filter((line) => line.includes(secret))
        expect(leaks, `leaked ${secret}`).toEqual([])
      }
    }))
})
