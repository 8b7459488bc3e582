/**
 * @since 0.1.0
 */
export * as Bulk from "./Bulk.js"

/**
 * @since 0.1.0
 */
export * as NodeHeroClient from "./NodeHeroClient.js"

/**
 * @since 0.2.0
 */
export * as NodeHeroTransport from "./NodeHeroTransport.js"

/**
 * @since 0.1.0
 */
export { createHeroClient } from "./NodeHeroClient.js"

/**
 * The error classes, result classes and types Promise users need.
 *
 * @since 0.1.0
 */
export * from "@hero-pds/core/PromiseApi"
