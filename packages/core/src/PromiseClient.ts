/**
 * The Promise face of `HeroClient`, for callers who do not write Effect. The Node and edge adapters build their
 * `createHeroClient` on it, each with its own `HttpClient`: one runtime and one connection pool per client,
 * reused by every call until `close()`.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as HeroClient from "./HeroClient.js"
import * as HeroConfig from "./HeroConfig.js"
import type * as HeroError from "./HeroError.js"
import type * as RegisterPds from "./RegisterPds.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface PromiseClient {
  /**
   * Traces a patient on PDS. Resolves with `Registered` or `VerificationRequired`; rejects with the
   * `HeroError` itself (`error instanceof Error`, `error._tag`), never a wrapper. An aborted `signal`
   * stops the call, retries included.
   */
  readonly registerPds: (
    input: RegisterPds.Input,
    options?: { readonly signal?: AbortSignal | undefined }
  ) => Promise<RegisterPds.Result>
  /**
   * Registers many inputs, `concurrency` at a time (default 4), yielding each outcome in input order as it is
   * known: `{ input, result }` or `{ input, error }`. Reads `inputs` lazily, so memory stays flat however many.
   */
  readonly registerAll: <A extends RegisterPds.Input>(
    inputs: Iterable<A> | AsyncIterable<A>,
    options?: { readonly concurrency?: number | undefined }
  ) => AsyncIterable<Settled<A>>
  /** Releases the runtime and its connections. Calls made afterwards reject. */
  readonly close: () => Promise<void>
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
 * The error a call rejects with: a `HeroError`, or an `Error` for an aborted call or a closed client.
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
 * Builds a Promise client from a validated configuration and an `HttpClient` layer. Trace propagation headers
 * are not sent: Promise callers have no Effect tracer to join.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  config: HeroConfig.Service,
  httpClient: Layer.Layer<HttpClient.HttpClient>
): PromiseClient => {
  const runtime = ManagedRuntime.make(
    HeroClient.layer.pipe(
      Layer.provide(Layer.succeed(HeroConfig.HeroConfig, config)),
      Layer.provide(httpClient),
      Layer.merge(Layer.setTracerEnabled(false)),
      Layer.merge(Layer.locallyScoped(HttpClient.currentTracerPropagation, false))
    )
  )
  let closed = false
  let client: HeroClient.Service | undefined
  const ensureOpen = () => {
    if (closed) throw new Error("This Hero client is closed: create a new one with createHeroClient().")
  }

  const registerPds: PromiseClient["registerPds"] = async (input, options) => {
    ensureOpen()
    client ??= await runtime.runPromise(HeroClient.HeroClient)
    const exit = await runtime.runPromiseExit(client.registerPds(input), options)
    if (Exit.isSuccess(exit)) return exit.value
    throw Cause.squash(exit.cause)
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
    close: () => {
      closed = true
      return runtime.dispose()
    }
  }
}
