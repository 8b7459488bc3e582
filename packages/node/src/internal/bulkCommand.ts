import type * as HeroClient from "@hero-pds/core/HeroClient"
import * as Outcome from "@hero-pds/core/Outcome"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Path from "node:path"
import * as Bulk from "../Bulk.js"
import * as Report from "./bulkReport.js"

export const defaultConcurrency = 4
const maxConcurrency = 256

/** A flag is wrong: exit 2. */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}

export interface Settings {
  readonly input: string
  readonly output: string
  readonly concurrency: number
  readonly rate: number | undefined
}

export const settings = (args: {
  readonly input: string
  readonly output: string
  readonly concurrency: number
  readonly rate: Option.Option<number>
}): Effect.Effect<Settings, UsageError> => {
  const rate = Option.getOrUndefined(args.rate)
  if (args.concurrency < 1 || args.concurrency > maxConcurrency) {
    return Effect.fail(new UsageError({ message: `--concurrency must be from 1 to ${maxConcurrency}` }))
  }
  if (rate !== undefined && !(rate > 0 && Number.isFinite(rate))) {
    return Effect.fail(new UsageError({ message: "--rate must be a number of requests per second above 0" }))
  }
  if (Path.resolve(args.input) === Path.resolve(args.output)) {
    return Effect.fail(new UsageError({ message: "--out must be another file than the input" }))
  }
  return Effect.succeed({ input: args.input, output: args.output, concurrency: args.concurrency, rate })
}

/** 128 + the signal's number, as shells report a process ended by it. */
const signalExitCodes = { SIGINT: 130, SIGTERM: 143 } as const
type Signal = keyof typeof signalExitCodes

/**
 * Runs a bulk registration as the CLI does: progress on stderr, the summary on stdout, signals handled, the exit
 * code set. The first SIGINT/SIGTERM stops sending and lets the requests in flight finish and be written; a second
 * one abandons them. The work runs in its own fiber, awaited uninterruptibly, so the runtime's own signal handling
 * (which interrupts the main fiber) waits until the output is consistent and the summary printed.
 */
export const run = (
  settings: Settings,
  layer: Layer.Layer<HeroClient.HeroClient>
): Effect.Effect<void> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.scoped(Effect.gen(function*() {
      const stop = yield* Deferred.make<void>()
      const abort = yield* Deferred.make<void>()
      let signal: Signal | undefined
      const onSignal = (name: Signal) => () => {
        if (signal === undefined) {
          signal = name
          process.stderr.write(
            `\n${name}: sending no more rows; finishing the requests in flight and writing them ` +
              "(press Ctrl-C again to stop at once).\n"
          )
          Deferred.unsafeDone(stop, Exit.void)
        } else {
          process.stderr.write(`\n${name}: stopping now; the rows in flight will be done again when you resume.\n`)
          Deferred.unsafeDone(abort, Exit.void)
        }
      }
      const onSigint = onSignal("SIGINT")
      const onSigterm = onSignal("SIGTERM")
      yield* Effect.acquireRelease(
        Effect.sync(() => {
          process.on("SIGINT", onSigint)
          process.on("SIGTERM", onSigterm)
        }),
        () =>
          Effect.sync(() => {
            process.removeListener("SIGINT", onSigint)
            process.removeListener("SIGTERM", onSigterm)
          })
      )

      const tty = process.stderr.isTTY === true
      const meter = new Report.RateMeter()
      let latest: Bulk.Progress | undefined
      let announced = false
      let shown = false
      const render = Effect.sync(() => {
        if (latest === undefined) return
        const progress = latest
        const rate = meter.update(Date.now(), progress.done - progress.resumed)
        if (!announced) {
          announced = true
          process.stderr.write(
            `Registering ${progress.total} rows from ${settings.input} into ${settings.output}` +
              (progress.resumed > 0 ? ` (resuming: ${progress.resumed} already done)` : "") +
              `, ${settings.concurrency} at a time` +
              (settings.rate === undefined ? "" : `, at most ${settings.rate} per second`) + ".\n"
          )
          return
        }
        const line = Report.progressLine(progress, rate)
        if (tty) {
          const width = Math.max(20, (process.stderr.columns ?? 100) - 1)
          process.stderr.write(`\r\x1b[2K${`${Report.bar(progress.done, progress.total)} ${line}`.slice(0, width)}`)
          shown = true
        } else {
          process.stderr.write(`${line}\n`)
        }
      })
      // Forked with `restore`: a fiber forked in an uninterruptible region could never be interrupted.
      const ticker = yield* Effect.fork(
        restore(Effect.repeat(render, Schedule.spaced(tty ? "200 millis" : "5 seconds")))
      )

      // A daemon: the runtime interrupts the main fiber's children on a signal; this one must finish its rows.
      const work = yield* Effect.forkDaemon(restore(
        Bulk.run({
          input: settings.input,
          output: settings.output,
          concurrency: settings.concurrency,
          stop: Deferred.await(stop),
          abort: Deferred.await(abort),
          onProgress: (progress) => {
            latest = progress
            if (!announced) Effect.runSync(render)
          }
        }).pipe(Effect.provide(layer))
      ))
      const exit = yield* Fiber.await(work)
      yield* Fiber.interrupt(ticker)
      if (shown) process.stderr.write("\r\x1b[2K")

      const code = Exit.match(exit, {
        onSuccess: (summary) => {
          switch (summary.ending._tag) {
            case "Completed":
              return 0
            case "Interrupted":
              return signalExitCodes[signal ?? "SIGINT"]
            case "HeroFailed":
              return Outcome.decisions[summary.ending.error].exitCode
          }
        },
        onFailure: (cause) => {
          const failure = Cause.failureOption(cause)
          return Option.isSome(failure) ? Outcome.usageExitCode : 1
        }
      })
      yield* Exit.match(exit, {
        onSuccess: (summary) => Console.log(Report.summaryText(summary, settings.output)),
        onFailure: (cause) =>
          Option.match(Cause.failureOption(cause), {
            onSome: (error) => Console.error(`Error: ${error.message}`),
            onNone: () =>
              Cause.isInterruptedOnly(cause)
                ? Console.error("Stopped.")
                : Console.error(`Unexpected failure: ${Cause.pretty(cause)}`)
          })
      })
      yield* Effect.sync(() => (process.exitCode = code))
    }))
  )
