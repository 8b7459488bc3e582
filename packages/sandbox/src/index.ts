/**
 * @since 0.1.0
 */
export * as Sandbox from "./Sandbox.js"

/**
 * @since 0.1.0
 */
export * as SandboxHttpClient from "./SandboxHttpClient.js"

/**
 * @since 0.1.0
 */
export * as SandboxPatients from "./SandboxPatients.js"
