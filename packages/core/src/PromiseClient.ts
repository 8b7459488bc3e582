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
import * as HeroClient from "./HeroClient.js"
import * as HeroConfig from "./HeroConfig.js"
import type * as HeroError from "./HeroError.js"
import type * as HeroTransport from "./HeroTransport.js"
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
    HeroClient.layerTransport.pipe(
      Layer.provide(Layer.succeed(HeroConfig.HeroConfig, config)),
      Layer.provide(transport),
      Layer.merge(Layer.setTracerEnabled(false))
    )
  )
  let closed = false
  let client: HeroClient.Service | undefined
  const inFlight = new Set<Fiber.RuntimeFiber<RegisterPds.Result, HeroError.HeroError>>()

  const registerPds: PromiseClient["registerPds"] = (input, options = {}) => {
    if (closed) return Promise.reject(new ClientClosedError())
    const { signal, ...callOptions } = options
    if (signal?.aborted) return Promise.reject(signal.reason)
    const program = client === undefined
      ? Effect.flatMap(HeroClient.HeroClient, (service) => {
        client = service
        return service.registerPds(input, callOptions)
      })
      : client.registerPds(input, callOptions)
    return new Promise((resolve, reject) => {
      const fiber = runtime.runFork(program)
      inFlight.add(fiber)
      const abort = () => fiber.unsafeInterruptAsFork(FiberId.none)
      signal?.addEventListener("abort", abort, { once: true })
      fiber.addObserver((exit) => {
        inFlight.delete(fiber)
        signal?.removeEventListener("abort", abort)
        if (Exit.isSuccess(exit)) resolve(exit.value)
        else if (signal?.aborted) reject(signal.reason)
        else if (closed && Cause.isInterruptedOnly(exit.cause)) reject(new ClientClosedError())
        else reject(Cause.squash(exit.cause))
      })
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
      await Effect.runPromise(Fiber.interruptAll(inFlight))
      await runtime.dispose()
    }
  }
}
