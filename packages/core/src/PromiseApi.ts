/**
 * What a Promise user imports besides `createHeroClient`: the error classes (for `instanceof` and `_tag`), the
 * result classes and the types. `@hero-pds/node` and `@hero-pds/edge` re-export it at their top level.
 *
 * @since 0.1.0
 */

export {
  BadRequest,
  Forbidden,
  type HeroError,
  InvalidInput,
  isHeroError,
  PatientNotFound,
  RateLimited,
  ServerError,
  TransportError,
  Unauthorized,
  UnexpectedResponse
} from "./HeroError.js"

export { type Environment, HeroConfigError, type Options } from "./HeroConfig.js"

export {
  type CallOptions,
  ClientClosedError,
  type PromiseClient,
  type Rejection,
  type Settled
} from "./PromiseClient.js"

export { type Input, Registered, type Result, VerificationRequired } from "./RegisterPds.js"
