import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import type { Fault, Faults } from "../Sandbox.js"

/**
 * Picks the fault for the next request: the next one of the script while it lasts, then, with the
 * given probability, one of the random kinds drawn from Effect's `Random`.
 */
export const make = (faults: Faults): Effect.Effect<Option.Option<Fault>> => {
  const script = faults.script ?? []
  let next = 0
  const random = faults.random
  return Effect.suspend(() => {
    if (next < script.length) return Effect.succeed(Option.fromNullable(script[next++]))
    if (random === undefined || random.kinds.length === 0) return Effect.succeedNone
    return Effect.flatMap(Random.next, (draw) =>
      draw < random.probability
        ? Effect.map(Random.nextIntBetween(0, random.kinds.length), (index) => Option.fromNullable(random.kinds[index]))
        : Effect.succeedNone)
  })
}
