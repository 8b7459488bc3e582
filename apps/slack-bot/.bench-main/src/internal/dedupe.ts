import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"

/** One command being answered, or answered within the window. */
export interface Entry<A> {
  readonly correlationId: string
  readonly result: Deferred.Deferred<A>
  /** Epoch ms after which the entry is forgotten; `Infinity` while the first call is in flight. */
  expiresAt: number
}

export type Claim<A> =
  | { readonly _tag: "First"; readonly entry: Entry<A> }
  | { readonly _tag: "Duplicate"; readonly entry: Entry<A> }

export interface Guard<A> {
  /** The entry for `key` if one is live (a duplicate), else a new one that the caller must settle. */
  readonly claim: (key: string, correlationId: string) => Effect.Effect<Claim<A>>
  /** Records the result; keeps it for the window when `keep`, else forgets it at once. */
  readonly settle: (key: string, entry: Entry<A>, result: A, keep: boolean) => Effect.Effect<void>
  readonly size: () => number
}

/**
 * The duplicate guard: in memory, per process or isolate, at most `maxEntries` keys (oldest evicted first).
 * Claims are atomic (no yield between the lookup and the insert), so two identical commands arriving together
 * make one call. Time comes from Effect's `Clock`.
 */
export const make = <A>(options: { readonly windowMillis: number; readonly maxEntries: number }): Guard<A> => {
  const entries = new Map<string, Entry<A>>()

  const evict = (now: number) => {
    for (const [key, entry] of entries) {
      if (entry.expiresAt <= now) entries.delete(key)
    }
    while (entries.size >= options.maxEntries) {
      const oldest = entries.keys().next()
      if (oldest.done === true) break
      entries.delete(oldest.value)
    }
  }

  return {
    claim: (key, correlationId) =>
      Effect.clockWith((clock) =>
        Effect.sync((): Claim<A> => {
          const now = clock.unsafeCurrentTimeMillis()
          const live = entries.get(key)
          if (live !== undefined && live.expiresAt > now) return { _tag: "Duplicate", entry: live }
          entries.delete(key)
          evict(now)
          const entry: Entry<A> = { correlationId, result: Deferred.unsafeMake(FiberId.none), expiresAt: Infinity }
          entries.set(key, entry)
          return { _tag: "First", entry }
        })
      ),
    settle: (key, entry, result, keep) =>
      Effect.clockWith((clock) =>
        Effect.zipRight(
          Effect.sync(() => {
            if (entries.get(key) !== entry) return
            if (keep) entry.expiresAt = clock.unsafeCurrentTimeMillis() + options.windowMillis
            else entries.delete(key)
          }),
          Deferred.succeed(entry.result, result)
        )
      ),
    size: () => entries.size
  }
}
