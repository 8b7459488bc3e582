/** What the CLI may write to a terminal: colour and other escape codes only where they are wanted. */
import * as Console from "effect/Console"
import type * as Effect from "effect/Effect"

/** Whether escape codes may be written: stdout is a terminal that is not `dumb`, and `NO_COLOR` is unset. */
export const colourful = (): boolean =>
  process.stdout.isTTY === true && !process.env.NO_COLOR && process.env.TERM !== "dumb"

// eslint-disable-next-line no-control-regex
const escapes = /\u001b\[[0-9;?]*[ -/]*[@-~]/g

const plain = (args: ReadonlyArray<unknown>) =>
  args.map((arg) => (typeof arg === "string" ? arg.replace(escapes, "") : arg))

/** Runs `effect` with a console that strips escape codes (e.g. @effect/cli's coloured help) unless {@link colourful}. */
export const withPlainConsole = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Console.consoleWith((console) =>
    colourful() ? effect : Console.withConsole(effect, {
      ...console,
      log: (...args) => console.log(...plain(args)),
      error: (...args) => console.error(...plain(args)),
      info: (...args) => console.info(...plain(args)),
      warn: (...args) => console.warn(...plain(args)),
      unsafe: {
        ...console.unsafe,
        log: (...args) => console.unsafe.log(...plain(args)),
        error: (...args) => console.unsafe.error(...plain(args))
      }
    })
  )
