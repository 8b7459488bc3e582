/**
 * Type-level proof that the outcome tables are exhaustive: `pnpm typecheck` compiles this file, and each
 * `@ts-expect-error` fails the build if the line under it ever compiles.
 */
import type * as HeroError from "@hero-pds/core/HeroError"
import type * as Outcome from "@hero-pds/core/Outcome"

type Decisions = typeof Outcome.decisions

/** What a table must hold: one row for each of `Tag`. */
type RowsFor<Tag extends string> = { readonly [T in Tag]: unknown }

/** Today's tables have a row for every tag. */
export const today: RowsFor<HeroError.Tag> = {} as Decisions

/** Were a tag added to `HeroError` (here `PaymentOverdue`), today's rows would not do: its decision is missing. */
// @ts-expect-error Property 'PaymentOverdue' is missing in type
export const withNewTag: RowsFor<HeroError.Tag | "PaymentOverdue"> = {} as Decisions

/** With the decision written, it compiles. */
export const withNewTagDecided: RowsFor<HeroError.Tag | "PaymentOverdue"> = {
  ...({} as Decisions),
  PaymentOverdue: { retryable: () => false, temporary: false, credentialFailure: false, definitive: false, exitCode: 8 }
}

/** An exit code outside the CLI's contract does not compile. */
// @ts-expect-error Type '1' is not assignable to type 'ExitCode'
export const unknownExit: Outcome.ExitCode = 1
