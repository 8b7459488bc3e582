/**
 * The bounded queue in front of Hero: at most `concurrency` calls run at once and at most `capacity` more wait,
 * first come first served. Admission is synchronous and never waits, so an acknowledgement never does; past the
 * bound the caller is refused at once. Closing (at shutdown) wakes every waiter with `Closed` and refuses
 * newcomers; what runs keeps running.
 */
import * as Effect from "effect/Effect"

/** A place in the queue, taken at admission; `run` uses it once. */
export interface Ticket {
  readonly _tag: "Ticket"
}

/** The queue was closed before the work started. */
export class Closed {
  readonly _tag = "Closed"
}

export interface Queue {
  /** A place in the queue, or `undefined` when it is full or closed. */
  readonly admit: () => Ticket | undefined
  /** Waits for a slot, runs `effect` in it, and frees it; fails with `Closed` if closed while waiting. */
  readonly run: <A, E, R>(ticket: Ticket, effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | Closed, R>
  /** Gives a place back without running anything. */
  readonly leave: (ticket: Ticket) => Effect.Effect<void>
  /** Refuses newcomers and wakes every waiter with `Closed`. */
  readonly close: Effect.Effect<void>
}

export const make = (options: { readonly concurrency: number; readonly capacity: number }): Queue => {
  let running = 0
  let admitted = 0
  let closed = false
  const waiters: Array<(granted: boolean) => void> = []

  const release = () => {
    const next = waiters.shift()
    if (next === undefined) running--
    else next(true)
  }

  const acquire = Effect.async<void, Closed>((resume) => {
    if (closed) return resume(Effect.fail(new Closed()))
    if (running < options.concurrency) {
      running++
      return resume(Effect.void)
    }
    const waiter = (granted: boolean) => resume(granted ? Effect.void : Effect.fail(new Closed()))
    waiters.push(waiter)
    return Effect.sync(() => {
      const index = waiters.indexOf(waiter)
      if (index >= 0) waiters.splice(index, 1)
    })
  })

  return {
    admit: () => {
      if (closed || admitted >= options.concurrency + options.capacity) return undefined
      admitted++
      return { _tag: "Ticket" }
    },
    run: (_ticket, effect) =>
      Effect.ensuring(
        // The wait for a slot stays interruptible (a deadline may end it); a slot taken is always freed.
        Effect.uninterruptibleMask((restore) =>
          Effect.zipRight(restore(acquire), Effect.ensuring(restore(effect), Effect.sync(release)))
        ),
        Effect.sync(() => admitted--)
      ),
    leave: () => Effect.sync(() => admitted--),
    close: Effect.sync(() => {
      closed = true
      for (const wake of waiters.splice(0)) wake(false)
    })
  }
}
