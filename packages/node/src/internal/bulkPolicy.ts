/**
 * When a run stops on Hero's failures. Credentials refused (`Unauthorized`, `Forbidden`) stop it at once; temporary
 * failures (rate limited, server, no answer: `Outcome.isTemporary`) are held back, written once a row after them
 * passes, and stop it after a streak, unwritten, so a re-run sends them again. Every other outcome is written.
 */
import type * as HeroError from "@hero-pds/core/HeroError"
import * as Outcome from "@hero-pds/core/Outcome"

/** Why Hero stopped the run: the first row not written, and the failure. */
export interface Stop {
  readonly row: number
  readonly error: HeroError.HeroError
}

/** Feeds settled rows, in input order, through the policy. */
export class Policy<A extends { readonly row: number; readonly error: HeroError.HeroError | undefined }> {
  private held: Array<A> = []
  constructor(private readonly streakLimit: number) {}

  /** The rows ready to write, and the stop when the run must end here (rows after it are not to be written). */
  take(rows: Iterable<A>): { readonly ready: Array<A>; readonly stop?: Stop } {
    const ready: Array<A> = []
    for (const row of rows) {
      const error = row.error
      if (error !== undefined && Outcome.isCredentialFailure(error)) {
        const first = this.held[0] ?? row
        this.held = []
        return { ready, stop: { row: first.row, error } }
      }
      if (error !== undefined && Outcome.isTemporary(error)) {
        this.held.push(row)
        if (this.held.length >= this.streakLimit) {
          const first = this.held[0]!
          this.held = []
          return { ready, stop: { row: first.row, error } }
        }
        continue
      }
      ready.push(...this.held, row)
      this.held = []
    }
    return { ready }
  }

  /** At the end of the input, held temporary failures are outcomes like any other. */
  flush(): Array<A> {
    const rows = this.held
    this.held = []
    return rows
  }
}
