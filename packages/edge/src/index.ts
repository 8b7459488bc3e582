/**
 * The edge adapter for Hero's `register_pds`: a fetch-backed `HeroClient` layer and Promise API for Cloudflare
 * Workers, Vercel Edge, Deno and browsers, with no Node API anywhere in its graph.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as EdgeHeroClient from "./EdgeHeroClient.js"

export {
  /**
   * The Promise client over `fetch`: `createHeroClient(options, env?)`. See `EdgeHeroClient.createHeroClient`.
   *
   * @since 0.1.0
   * @category constructors
   */
  createHeroClient
} from "./EdgeHeroClient.js"

export type {
  /**
   * `HERO_*` bindings as a Worker receives them in `env`: the fallback for settings left out of the options.
   *
   * @since 0.1.0
   * @category models
   */
  Env,
  /**
   * The settings of `createHeroClient`: `HeroConfig.Options` plus an optional `fetch`.
   *
   * @since 0.1.0
   * @category models
   */
  Options
} from "./EdgeHeroClient.js"

export {
  /**
   * HTTP 400: Hero rejected the body; carries Hero's validation `issues` when it sent them.
   *
   * @since 0.1.0
   * @category errors
   */
  BadRequest,
  /**
   * HTTP 403: the API key may not act for this practice group.
   *
   * @since 0.1.0
   * @category errors
   */
  Forbidden,
  /**
   * Local validation failed, per field; nothing was sent.
   *
   * @since 0.1.0
   * @category errors
   */
  InvalidInput,
  /**
   * Whether a value is a `HeroError`.
   *
   * @since 0.1.0
   * @category refinements
   */
  isHeroError,
  /**
   * HTTP 404: no patient on PDS matches.
   *
   * @since 0.1.0
   * @category errors
   */
  PatientNotFound,
  /**
   * HTTP 429 left after retries, or a `Retry-After` beyond the cap; carries `retryAfter` when known.
   *
   * @since 0.1.0
   * @category errors
   */
  RateLimited,
  /**
   * HTTP 5xx left after retries; carries `status`.
   *
   * @since 0.1.0
   * @category errors
   */
  ServerError,
  /**
   * A network failure or per-attempt timeout left after retries: `reason` is `"Network"` or `"Timeout"`.
   *
   * @since 0.1.0
   * @category errors
   */
  TransportError,
  /**
   * HTTP 401: the API key is missing or unknown.
   *
   * @since 0.1.0
   * @category errors
   */
  Unauthorized,
  /**
   * A response that did not match what Hero documents (any other status, or a 2xx body that is neither result).
   *
   * @since 0.1.0
   * @category errors
   */
  UnexpectedResponse
} from "@hero-pds/core/HeroError"

export type {
  /**
   * Any failure of `registerPds`, a union of the error classes above, discriminated by `_tag`.
   *
   * @since 0.1.0
   * @category models
   */
  HeroError
} from "@hero-pds/core/HeroError"

export {
  /**
   * A configuration that cannot work; `createHeroClient` throws it, naming the option or variable at fault.
   *
   * @since 0.1.0
   * @category errors
   */
  HeroConfigError
} from "@hero-pds/core/HeroConfig"

export type {
  /**
   * `staging`, `production` or `sandbox` (the sandbox's default base URL; there is no embedded emulator at the edge).
   *
   * @since 0.1.0
   * @category models
   */
  Environment
} from "@hero-pds/core/HeroConfig"

export type {
  /**
   * The client `createHeroClient` returns: `registerPds(input, { signal }?)` and `close()`.
   *
   * @since 0.1.0
   * @category models
   */
  PromiseClient
} from "@hero-pds/core/PromiseClient"

export {
  /**
   * The patient is registered: `patientId` is their Hero id.
   *
   * @since 0.1.0
   * @category models
   */
  Registered,
  /**
   * Hero could not confirm the patient from PDS alone: send them to `loginUrl`.
   *
   * @since 0.1.0
   * @category models
   */
  VerificationRequired
} from "@hero-pds/core/RegisterPds"

export type {
  /**
   * What `registerPds` takes: `{ nhsNumber, dob }` or `{ forename, surname, dob, postcode }`.
   *
   * @since 0.1.0
   * @category models
   */
  Input,
  /**
   * What `registerPds` resolves with: `Registered | VerificationRequired`.
   *
   * @since 0.1.0
   * @category models
   */
  Result
} from "@hero-pds/core/RegisterPds"
