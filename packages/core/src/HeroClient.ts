/**
 * The `register_pds` client: a service over `@effect/platform`'s `HttpClient`, with local validation,
 * typed errors, the retry policy, a per-attempt timeout and a safe span (`HeroClient.registerPds`).
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
import * as internal from "./internal/heroClient.js"
import type * as RegisterPds from "./RegisterPds.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /**
   * Traces a patient on PDS and returns their Hero `patient_id`, or the verification the patient needs.
   * Invalid input fails with `InvalidInput` before any request is made.
   */
  readonly registerPds: (
    input: RegisterPds.Input
  ) => Effect.Effect<RegisterPds.Result, HeroError.HeroError>
}

/**
 * The client service.
 *
 * @since 0.1.0
 * @category tags
 */
export class HeroClient extends Context.Tag("@hero-pds/core/HeroClient")<HeroClient, Service>() {}

/**
 * Who enforces the per-attempt timeout. `"effect"` (the default) races each attempt against an Effect timer:
 * it works with any `HttpClient` and under `TestClock`. `"transport"` leaves it to the `HttpClient`, which must
 * fail a request that exceeds `HeroConfig.timeout` with a timeout cause (`TimeoutError`, undici's
 * `HeadersTimeoutError`/`BodyTimeoutError`); `@hero-pds/node` does this natively in undici, which saves a fiber
 * race per attempt. Either way the failure is `TransportError { reason: "Timeout" }`.
 *
 * @since 0.1.0
 * @category references
 */
export class TimeoutEnforcement extends Context.Reference<TimeoutEnforcement>()(
  "@hero-pds/core/HeroClient/TimeoutEnforcement",
  { defaultValue: (): "effect" | "transport" => "effect" }
) {}

/**
 * The `User-Agent` sent with every request, naming this package and its version.
 *
 * @since 0.1.0
 */
export const userAgent: string = internal.userAgent

/**
 * Builds a client from an `HttpClient` and a `HeroConfig`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, HttpClient.HttpClient | HeroConfig.HeroConfig> = internal.make

/**
 * The client, given an `HttpClient` and a `HeroConfig`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<HeroClient, never, HttpClient.HttpClient | HeroConfig.HeroConfig> = Layer.effect(
  HeroClient,
  internal.make
)

/**
 * Calls `registerPds` on the client in the context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const registerPds = (
  input: RegisterPds.Input
): Effect.Effect<RegisterPds.Result, HeroError.HeroError, HeroClient> =>
  Effect.flatMap(HeroClient, (client) => client.registerPds(input))

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
