/**
 * The `register_pds` client: local validation, typed errors, the retry policy, a per-attempt timeout, an optional
 * deadline per call, a correlation id per call and a safe span (`HeroClient.registerPds`), over a `HeroTransport`
 * (the adapters' native one, or any `@effect/platform` `HttpClient`).
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import type * as HeroConfig from "./HeroConfig.js"
import type * as HeroError from "./HeroError.js"
import * as HeroTransport from "./HeroTransport.js"
import * as internal from "./internal/heroClient.js"
import type * as RegisterPds from "./RegisterPds.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /**
   * Traces a patient on PDS and returns their Hero `patient_id`, or the verification the patient needs.
   * Invalid input (or options) fails with `InvalidInput` before any request is made. Interrupting the effect
   * aborts the request in flight and any wait.
   */
  readonly registerPds: (
    input: RegisterPds.Input,
    options?: CallOptions
  ) => Effect.Effect<RegisterPds.Result, HeroError.HeroError>
}

/**
 * Settings of one call, over the client's. The client's rate limit, concurrency and cooldown stay shared by every
 * call, whichever practice group it acts for.
 *
 * @since 0.2.0
 * @category models
 */
export interface CallOptions {
  /** Act for another practice group (sent as `x-practice-group-id`), e.g. a PCN hub acting for its practices. */
  readonly practiceGroupId?: string | undefined
  /** The per-attempt timeout of this call, in milliseconds. */
  readonly timeoutMs?: number | undefined
  /** Retries after the first attempt, for this call. */
  readonly maxRetries?: number | undefined
}

/**
 * The client service.
 *
 * @since 0.1.0
 * @category tags
 */
export class HeroClient extends Context.Tag("@hero-pds/core/HeroClient")<HeroClient, Service>() {}

/**
 * The `User-Agent` sent with every request, naming this package and its version.
 *
 * @since 0.1.0
 */
export const userAgent: string = internal.userAgent

/**
 * Builds a client from a `HeroTransport` and a `HeroConfig`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, HeroTransport.HeroTransport | HeroConfig.HeroConfig> = internal.make

/**
 * The client over a `HeroTransport` (what the Node and edge adapters provide natively), given a `HeroConfig`.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerTransport: Layer.Layer<HeroClient, never, HeroTransport.HeroTransport | HeroConfig.HeroConfig> =
  /* @__PURE__ */ Layer.effect(HeroClient, Effect.map(internal.make, ({ registerPds }) => ({ registerPds })))

/**
 * The client over any `@effect/platform` `HttpClient` (see `HeroTransport.fromHttpClient`), given a `HeroConfig`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<HeroClient, never, HttpClient.HttpClient | HeroConfig.HeroConfig> =
  /* @__PURE__ */ Layer.provide(layerTransport, HeroTransport.layerHttpClient)

/**
 * Calls `registerPds` on the client in the context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const registerPds = (
  input: RegisterPds.Input,
  options?: CallOptions
): Effect.Effect<RegisterPds.Result, HeroError.HeroError, HeroClient> =>
  Effect.flatMap(HeroClient, (client) => client.registerPds(input, options))

/**
 * One input and how its registration ended.
 *
 * @since 0.1.0
 * @category models
 */
export interface Settled<A> {
  readonly input: A
  readonly result: Either.Either<RegisterPds.Result, HeroError.HeroError>
}

/**
 * Registers a stream of inputs, `concurrency` at a time (default 1), emitting each outcome in input order. A
 * failed registration is an outcome, not a stream failure. Calls share the client's cooldown, rate and
 * concurrency limit (see `HeroConfig.Options`).
 *
 * @since 0.1.0
 * @category streams
 */
export const registerStream = <A extends RegisterPds.Input, E, R>(
  inputs: Stream.Stream<A, E, R>,
  options?: { readonly concurrency?: number | undefined }
): Stream.Stream<Settled<A>, E, R | HeroClient> =>
  Stream.mapEffect(
    inputs,
    (input) => Effect.map(Effect.either(registerPds(input)), (result) => ({ input, result })),
    { concurrency: options?.concurrency ?? 1 }
  )
