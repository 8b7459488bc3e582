/**
 * @since 0.1.0
 */
export * as DateOfBirth from "./DateOfBirth.js"

/**
 * @since 0.1.0
 */
export * as EnvConfig from "./EnvConfig.js"

/**
 * @since 0.1.0
 */
export * as HeroClient from "./HeroClient.js"

/**
 * @since 0.1.0
 */
export * as HeroConfig from "./HeroConfig.js"

/**
 * @since 0.1.0
 */
export * as HeroError from "./HeroError.js"

/**
 * @since 0.2.0
 */
export * as HeroTransport from "./HeroTransport.js"

/**
 * @since 0.1.0
 */
export * as NhsNumber from "./NhsNumber.js"

/**
 * @since 0.1.0
 */
export * as Outcome from "./Outcome.js"

/**
 * @since 0.1.0
 */
export * as Postcode from "./Postcode.js"

/**
 * @since 0.1.0
 */
export * as PromiseApi from "./PromiseApi.js"

/**
 * @since 0.1.0
 */
export * as PromiseClient from "./PromiseClient.js"

/**
 * @since 0.1.0
 */
export * as RegisterPds from "./RegisterPds.js"

/**
 * @since 0.1.0
 */
export * as RetryPolicy from "./RetryPolicy.js"
