/**
 * @since 0.1.0
 */
export * as Cli from "./Cli.js"

/**
 * @since 0.1.0
 */
export * as NodeHeroClient from "./NodeHeroClient.js"

/**
 * @since 0.1.0
 */
export { createHeroClient, type Options } from "./NodeHeroClient.js"

/**
 * The errors a call rejects with, for `instanceof` checks and `switch (error._tag)`.
 *
 * @since 0.1.0
 */
export {
  BadRequest,
  Forbidden,
  type HeroError,
  InvalidInput,
  PatientNotFound,
  RateLimited,
  ServerError,
  TransportError,
  Unauthorized,
  UnexpectedResponse
} from "@hero-pds/core/HeroError"

/**
 * @since 0.1.0
 */
export { HeroConfigError } from "@hero-pds/core/HeroConfig"

/**
 * @since 0.1.0
 */
export type { PromiseClient as HeroPromiseClient } from "@hero-pds/core/PromiseClient"

/**
 * The two results of `registerPds`, and what it takes.
 *
 * @since 0.1.0
 */
export { type Input, Registered, type Result, VerificationRequired } from "@hero-pds/core/RegisterPds"
