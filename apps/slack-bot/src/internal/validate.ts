/**
 * Running configuration checks side by side, so that every variable at fault is named at once.
 */
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/** Runs both checks and fails with the errors of both, or succeeds with both results. */
export const both = <A, B>(
  first: Effect.Effect<A, ConfigError.ConfigError>,
  second: Effect.Effect<B, ConfigError.ConfigError>
): Effect.Effect<readonly [A, B], ConfigError.ConfigError> =>
  Effect.mapError(
    Effect.all([first, second], { mode: "validate" }),
    ([a, b]) => {
      const errors = [...Option.toArray(a), ...Option.toArray(b)]
      return errors.reduce((all, error) => ConfigError.And(all, error))
    }
  )
