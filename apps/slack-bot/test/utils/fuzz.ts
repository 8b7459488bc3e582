/**
 * How long the fuzz targets run: `FUZZ_RUNS` runs each (default 200, so `pnpm test` stays quick);
 * `FUZZ_RUNS=100000 pnpm --filter @hero-pds/slack-bot test` is the long run. `FUZZ_SEED` replays a failure.
 */
import * as fc from "effect/FastCheck"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as TestContext from "effect/TestContext"
import type * as TestServices from "effect/TestServices"
import { it } from "vitest"

export const runs = Number(process.env.FUZZ_RUNS ?? 200)

const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED)

/**
 * The options of a property: `runs * factor` runs, and a test timeout that grows with them
 * (`millisPerRun` is a generous bound on one run).
 */
export const options = (factor = 1, millisPerRun = 5) => {
  const numRuns = Math.max(1, Math.round(runs * factor))
  return {
    timeout: Math.max(30_000, numRuns * millisPerRun),
    fastCheck: { numRuns, ...(seed === undefined ? {} : { seed }) }
  }
}

/** Any string: arbitrary UTF-16 (lone surrogates included), graphemes, or control characters and whitespace. */
export const anyString = (maxLength = 200): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ unit: "binary", maxLength }),
    fc.string({ unit: "grapheme", maxLength }),
    fc.string({
      unit: fc.constantFrom(
        "\u0000",
        "\t",
        "\n",
        "\r",
        "\u000b",
        "\u001f",
        "\u007f",
        "\u00a0",
        "\u2028",
        "\u200b",
        "\ufeff",
        " ",
        "/",
        "-",
        ".",
        "<",
        ">",
        "|",
        "0",
        "9"
      ) as fc.Arbitrary<string>,
      maxLength
    }),
    fc.string({ unit: fc.constantFrom(..."0123456789 -/.") as fc.Arbitrary<string>, maxLength })
  )

/**
 * A runtime with the test services (`TestClock` as the clock), built once per file: much cheaper per run than
 * `it.effect.prop`, which builds them for every run. Dispose of it in `afterAll`.
 */
export const testRuntime = (): ManagedRuntime.ManagedRuntime<TestServices.TestServices, never> =>
  ManagedRuntime.make(TestContext.TestContext)

/**
 * An async property as a test, run `runs * factor` times (see {@link options}): `fc.asyncProperty` under
 * vitest's `it`, since `it.prop` only takes synchronous predicates.
 */
export const asyncProp = <Ts extends [unknown, ...Array<unknown>]>(
  name: string,
  arbitraries: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> },
  predicate: (...args: Ts) => Promise<void>,
  factor = 1,
  millisPerRun = 5
): void => {
  const { fastCheck, timeout } = options(factor, millisPerRun)
  it(name, { timeout }, () => fc.assert(fc.asyncProperty(...arbitraries, predicate), fastCheck))
}
