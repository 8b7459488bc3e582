/**
 * The Promise face of `HeroClient`, for callers who do not write Effect. The Node and edge adapters build their
 * `createHeroClient` on it, each with its own `HeroTransport`: one runtime and one connection pool per client,
 * reused by every call until `close()`.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import type * as HeroClient from "./HeroClient.js"
import * as HeroConfig from "./HeroConfig.js"
import type * as HeroError from "./HeroError.js"
import type * as HeroTransport from "./HeroTransport.js"
import * as internal from "./internal/heroClient.js"
import type * as RegisterPds from "./RegisterPds.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface PromiseClient {
  /**
   * Traces a patient on PDS. Resolves with `Registered` or `VerificationRequired`; rejects with the
   * `HeroError` itself (`error instanceof Error`, `error._tag`), never a wrapper. An aborted `signal`
   * stops the call, retries and waits included, and the call rejects with `signal.reason`.
   */
  readonly registerPds: (input: RegisterPds.Input, options?: CallOptions) => Promise<RegisterPds.Result>
  /**
   * Registers many inputs, `concurrency` at a time (default 4), yielding each outcome in input order as it is
   * known: `{ input, result }` or `{ input, error }`. Reads `inputs` lazily, so memory stays flat however many.
   */
  readonly registerAll: <A extends RegisterPds.Input>(
    inputs: Iterable<A> | AsyncIterable<A>,
    options?: { readonly concurrency?: number | undefined }
  ) => AsyncIterable<Settled<A>>
  /**
   * Ends the calls in flight (they reject with {@link ClientClosedError} and send nothing more), then releases the
   * runtime and its connections. Calls made afterwards reject with {@link ClientClosedError} too.
   */
  readonly close: () => Promise<void>
}

/**
 * The options of one `registerPds` call: `HeroClient.CallOptions` and an `AbortSignal`.
 *
 * @since 0.2.0
 * @category models
 */
export interface CallOptions extends HeroClient.CallOptions {
  readonly signal?: AbortSignal | undefined
}

/**
 * What a call rejects with when its client was closed, before or during the call.
 *
 * @since 0.2.0
 * @category errors
 */
export class ClientClosedError extends Error {
  override readonly name = "ClientClosedError"
  constructor() {
    super("This Hero client is closed: create a new one with createHeroClient().")
  }
}

/**
 * How one input of `registerAll` ended.
 *
 * @since 0.1.0
 * @category models
 */
export type Settled<A> =
  | { readonly input: A; readonly result: RegisterPds.Result; readonly error?: undefined }
  | { readonly input: A; readonly result?: undefined; readonly error: HeroError.HeroError }

/**
 * The error a call rejects with: a `HeroError`, the signal's reason for an aborted call, or `ClientClosedError`.
 *
 * @since 0.1.0
 * @category models
 */
export type Rejection = HeroError.HeroError | Error

/**
 * Validates options, each falling back to `env` (`HERO_*` variables) when given, then to the environment's
 * `defaults`. Throws `HeroConfigError`
 * naming the option or variable at fault, so a bad client fails when it is made, not on its first call.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolveConfig = (
  options: HeroConfig.Options,
  env?: object,
  defaults?: HeroConfig.Defaults
): HeroConfig.Service =>
  Either.getOrThrowWith(
    Effect.runSync(Effect.either(HeroConfig.make(options, env, defaults))),
    HeroConfig.HeroConfigError.fromConfigError
  )

/**
 * Builds a Promise client from a validated configuration and a `HeroTransport` layer (built once, on the first call,
 * and released by `close()`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  config: HeroConfig.Service,
  transport: Layer.Layer<HeroTransport.HeroTransport>
): PromiseClient => {
  const runtime = ManagedRuntime.make(
    internal.layer.pipe(
      Layer.provide(Layer.succeed(HeroConfig.HeroConfig, config)),
      Layer.provide(transport),
      Layer.merge(Layer.setTracerEnabled(false))
    )
  )
  let closed = false
  /** The client, once the runtime has built it (on the first call). */
  let client: internal.Client | undefined
  let building: Promise<internal.Client> | undefined
  const build = () =>
    building ??= runtime.runPromise(internal.Internal).then((built) => {
      client = built
      return built
    })
  const fibers = new Set<Fiber.RuntimeFiber<RegisterPds.Result, HeroError.HeroError>>()
  /** The aborts of first attempts in flight outside a fiber. */
  const aborts = new Set<() => void>()

  /**
   * A call's first attempt runs outside any fiber when the client allows it (`startFirst`): a fiber costs more than
   * the rest of a call on a fast network. Anything else, and whatever follows a failed first attempt, runs in a
   * fiber of the client's runtime.
   */
  const registerPds: PromiseClient["registerPds"] = (input, options = {}) => {
    if (closed) return Promise.reject(new ClientClosedError())
    const signal = options.signal
    if (signal?.aborted) return Promise.reject(signal.reason)
    if (client === undefined) {
      return build().then(
        () => registerPds(input, options),
        (error: unknown) => Promise.reject(closed ? new ClientClosedError() : error)
      )
    }
    const built = client
    return new Promise((resolve, reject) => {
      const runInFiber = (program: Effect.Effect<RegisterPds.Result, HeroError.HeroError>) => {
        const fiber = runtime.runFork(program)
        fibers.add(fiber)
        const interrupt = () => fiber.unsafeInterruptAsFork(FiberId.none)
        signal?.addEventListener("abort", interrupt, { once: true })
        fiber.addObserver((exit) => {
          fibers.delete(fiber)
          signal?.removeEventListener("abort", interrupt)
          if (Exit.isSuccess(exit)) resolve(exit.value)
          else if (signal?.aborted) reject(signal.reason)
          else if (closed && Cause.isInterruptedOnly(exit.cause)) reject(new ClientClosedError())
          else reject(Cause.squash(exit.cause))
        })
      }
      let settled = false
      let tracked = false
      const abort = built.startFirst(input, options, (outcome) => {
        settled = true
        if (tracked && abort !== undefined) {
          aborts.delete(abort)
          signal?.removeEventListener("abort", abort)
        }
        if (signal?.aborted) reject(signal.reason)
        else if (closed) reject(new ClientClosedError())
        else if (Either.isRight(outcome)) resolve(outcome.right)
        else runInFiber(outcome.left)
      })
      if (abort === undefined) runInFiber(built.registerPds(input, options))
      else if (!settled) {
        aborts.add(abort)
        signal?.addEventListener("abort", abort, { once: true })
        tracked = true
      }
    })
  }

  /** A window of at most `concurrency` calls, read lazily, yielded in input order (no Stream: edge bundles). */
  const registerAll = async function*<A extends RegisterPds.Input>(
    inputs: Iterable<A> | AsyncIterable<A>,
    options?: { readonly concurrency?: number | undefined }
  ): AsyncGenerator<Settled<A>> {
    const concurrency = Math.max(1, options?.concurrency ?? 4)
    const settle = (input: A): Promise<Settled<A>> =>
      registerPds(input).then((result) => ({ input, result }), (error: HeroError.HeroError) => ({ input, error }))
    const window: Array<Promise<Settled<A>>> = []
    for await (const input of inputs) {
      window.push(settle(input))
      if (window.length >= concurrency) yield await window.shift()!
    }
    while (window.length > 0) yield await window.shift()!
  }

  return {
    registerPds,
    registerAll,
    close: async () => {
      closed = true
      for (const abort of aborts) abort()
      await Effect.runPromise(Fiber.interruptAll(fibers))
      await runtime.dispose()
    }
  }
}
