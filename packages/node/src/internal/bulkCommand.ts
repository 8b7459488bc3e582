import * as HeroClient from "@hero-pds/core/HeroClient"
import * as HeroConfig from "@hero-pds/core/HeroConfig"
import * as HeroTransport from "@hero-pds/core/HeroTransport"
import * as Outcome from "@hero-pds/core/Outcome"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as Path from "node:path"
import * as Bulk from "../Bulk.js"
import * as NodeHeroClient from "../NodeHeroClient.js"
import * as Report from "./bulkReport.js"
import * as Spacing from "./bulkSpacing.js"
import * as Csv from "./csv.js"
import * as Terminal from "./terminal.js"

/** The most rows in flight `--concurrency` may ask for. */
const maxConcurrency = 256

/** A flag is wrong: exit 2. */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}

/** A bulk run as the flags describe it. */
export interface Settings {
  readonly input: string
  readonly output: string
  readonly concurrency: number | undefined
  readonly rate: number | undefined
  readonly encoding: Csv.Encoding | undefined
  readonly delimiter: "," | ";" | "\t" | undefined
  readonly retryErrors: boolean
}

/** Checks the flags. */
export const settings = (args: {
  readonly input: string
  readonly output: string
  readonly concurrency: Option.Option<number>
  readonly rate: Option.Option<number>
  readonly encoding: Option.Option<Csv.Encoding>
  readonly delimiter: Option.Option<keyof typeof Csv.delimiters>
  readonly retryErrors: boolean
}): Effect.Effect<Settings, UsageError> => {
  const rate = Option.getOrUndefined(args.rate)
  const concurrency = Option.getOrUndefined(args.concurrency)
  if (concurrency !== undefined && (concurrency < 1 || concurrency > maxConcurrency)) {
    return Effect.fail(new UsageError({ message: `--concurrency must be from 1 to ${maxConcurrency}` }))
  }
  if (rate !== undefined && !(rate > 0 && Number.isFinite(rate))) {
    return Effect.fail(new UsageError({ message: "--rate must be a number of requests per second above 0" }))
  }
  if (Path.resolve(args.input) === Path.resolve(args.output)) {
    return Effect.fail(new UsageError({ message: "--out must be another file than the input" }))
  }
  return Effect.succeed({
    input: args.input,
    output: args.output,
    concurrency,
    rate,
    encoding: Option.getOrUndefined(args.encoding),
    delimiter: Option.map(args.delimiter, (name) => Csv.delimiters[name]).pipe(Option.getOrUndefined),
    retryErrors: args.retryErrors
  })
}

const rateLimited: Bulk.TransportEvent = { _tag: "RateLimited" }

/**
 * The client for a run: the HeroClient of `NodeHeroClient` and its configuration. With a `rate`, its attempts are
 * spaced on the wire for a server allowing that rate, and each 429 the spacing takes for a rate too high is published
 * to `events` as it comes back (so the pace backs off at once, not after a row's retries).
 */
const clientLayer = (
  config: HeroConfig.Service,
  rate: number | undefined,
  events: PubSub.PubSub<Bulk.TransportEvent>
) => {
  const transport = NodeHeroClient.layerTransport(config)
  return HeroClient.layerTransport.pipe(
    Layer.provide(
      rate === undefined ? transport : Layer.effect(
        HeroTransport.HeroTransport,
        Effect.flatMap(
          HeroTransport.HeroTransport,
          (inner) => Spacing.make(rate, inner, PubSub.publish(events, rateLimited))
        )
      ).pipe(Layer.provide(transport))
    ),
    Layer.provideMerge(Layer.succeed(HeroConfig.HeroConfig, config))
  )
}

/** How long the calls in flight may take to finish after SIGINT/SIGTERM before they are cut (left for resume). */
export const gracePeriodMs = 3000

/** 128 + the signal's number, as shells report a process ended by it. */
const signalExitCodes = { SIGINT: 130, SIGTERM: 143 } as const
type Signal = keyof typeof signalExitCodes

/**
 * Runs a bulk registration as the CLI does: progress on stderr, the summary on stdout, signals handled, the exit
 * code set. The first SIGINT/SIGTERM stops sending; the calls in flight get {@link gracePeriodMs} to finish and be
 * written, then are cut and left for resume (a second signal cuts them at once). The work runs in its own fiber,
 * awaited uninterruptibly, so the runtime's own signal handling (which interrupts the main fiber) waits until the
 * output is consistent and the summary printed.
 */
export const run = (settings: Settings, config: HeroConfig.Service): Effect.Effect<void> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.scoped(Effect.gen(function*() {
      const stop = yield* Deferred.make<void>()
      const abort = yield* Deferred.make<void>()
      let signal: Signal | undefined
      let graceTimer: ReturnType<typeof setTimeout> | undefined
      const cut = (why: string) => {
        process.stderr.write(`\n${why}: stopping now; the rows in flight will be sent again when you resume.\n`)
        Deferred.unsafeDone(abort, Exit.void)
      }
      const onSignal = (name: Signal) => () => {
        if (signal !== undefined) return cut(name)
        signal = name
        process.stderr.write(
          `\n${name}: sending no more rows; giving the requests in flight ${gracePeriodMs / 1000} seconds to ` +
            "finish and be written (press Ctrl-C again to stop at once).\n"
        )
        Deferred.unsafeDone(stop, Exit.void)
        graceTimer = setTimeout(() => cut("Grace period over"), gracePeriodMs)
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
            clearTimeout(graceTimer)
            process.removeListener("SIGINT", onSigint)
            process.removeListener("SIGTERM", onSigterm)
          })
      )

      // Escape codes only for a terminal that wants them.
      const tty = process.stderr.isTTY === true && Terminal.colourful()
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
          process.stderr.write(`${Report.startLine(progress, settings)}\n`)
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

      const events = yield* PubSub.unbounded<Bulk.TransportEvent>()
      // A daemon: the runtime interrupts the main fiber's children on a signal; this one must finish its rows.
      const work = yield* Effect.forkDaemon(restore(
        Bulk.run({
          ...settings,
          transport: Stream.fromPubSub(events),
          stop: Deferred.await(stop),
          abort: Deferred.await(abort),
          onProgress: (progress) => {
            latest = progress
            if (!announced) Effect.runSync(render)
          }
        }).pipe(Effect.provide(clientLayer(config, settings.rate, events)))
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
        onFailure: (cause) => (Option.isSome(Cause.failureOption(cause)) ? Outcome.usageExitCode : 1)
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
