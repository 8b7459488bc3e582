/**
 * What each way a registration can end means for whoever handles it: the CLI's `--json` outcome and exit code,
 * whether a failure is worth retrying, whether it is temporary, whether the credentials were refused, and whether
 * it is Hero's definitive answer. Every decision is a table keyed by every `HeroError` tag, so a new tag does not
 * compile until each decision for it is made; consumers (the retry schedule, the CLI, bulk, the Slack app) derive
 * from here.
 *
 * @since 0.1.0
 */
import type * as HeroConfig from "./HeroConfig.js"
import type * as HeroError from "./HeroError.js"
import type * as RegisterPds from "./RegisterPds.js"

/**
 * The CLI's process exit codes: 0 registered, 2 invalid input, bad request, usage or configuration,
 * 3 verification required, 4 not found, 5 credentials refused, 6 rate limited, 7 server or network, 8 unexpected.
 *
 * @since 0.1.0
 * @category models
 */
export type ExitCode = 0 | 2 | 3 | 4 | 5 | 6 | 7 | 8

/**
 * What one failure means.
 *
 * @since 0.1.0
 * @category models
 */
export interface Decision<E extends HeroError.HeroError = HeroError.HeroError> {
  /** Whether the retry schedule may send the same request again at once (after its delay). */
  readonly retryable: (error: E) => boolean
  /** Whether the same request may well succeed later: worth re-sending on a later run (`bulk --retry-errors`). */
  readonly temporary: boolean
  /** Whether Hero refused the credentials: every other call with them fails the same way. */
  readonly credentialFailure: boolean
  /** Whether it is Hero's settled answer for these details: asking again soon gives the same answer. */
  readonly definitive: boolean
  /** The CLI's exit code. */
  readonly exitCode: ExitCode
}

/**
 * The HTTP statuses worth retrying: 408, 429, 500, 502, 503 and 504.
 *
 * @since 0.1.0
 */
export const retryableStatuses: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504])

const always = () => true
const never = () => false

/** A row of the table: what is true of the failure, and its exit code. */
const decide = <E extends HeroError.HeroError>(
  retryable: (error: E) => boolean,
  facts: ReadonlyArray<"temporary" | "credentialFailure" | "definitive">,
  exitCode: ExitCode
): Decision<E> => ({
  retryable,
  temporary: facts.includes("temporary"),
  credentialFailure: facts.includes("credentialFailure"),
  definitive: facts.includes("definitive"),
  exitCode
})

/**
 * The decision for every tag. Typed by tag, so adding a `HeroError` without a row here does not compile.
 *
 * @since 0.1.0
 */
export const decisions: { readonly [T in HeroError.Tag]: Decision<Extract<HeroError.HeroError, { _tag: T }>> } = {
  InvalidInput: decide(never, ["definitive"], 2),
  BadRequest: decide(never, ["definitive"], 2),
  Unauthorized: decide(never, ["credentialFailure"], 5),
  Forbidden: decide(never, ["credentialFailure"], 5),
  PatientNotFound: decide(never, ["definitive"], 4),
  RateLimited: decide(always, ["temporary"], 6),
  ServerError: decide((error) => retryableStatuses.has(error.status), ["temporary"], 7),
  TransportError: decide(always, ["temporary"], 7),
  UnexpectedResponse: decide(never, [], 8)
}

/**
 * The decision for one failure.
 *
 * @since 0.1.0
 */
export const decisionOf = <E extends HeroError.HeroError>(error: E): Decision<E> =>
  decisions[error._tag] as unknown as Decision<E>

/**
 * Whether the retry schedule may send the request again.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isRetryable = (error: HeroError.HeroError): boolean => decisionOf(error).retryable(error)

/**
 * Whether the failure may well pass later (rate limited, server error, no answer).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isTemporary = (error: HeroError.HeroError): boolean => decisionOf(error).temporary

/**
 * Whether Hero refused the credentials (`Unauthorized`, `Forbidden`): nothing else sent with them can pass.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isCredentialFailure = (error: HeroError.HeroError): boolean => decisionOf(error).credentialFailure

/**
 * Whether the failure is Hero's settled answer for these details (not found, invalid): worth reusing, not retrying.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isDefinitive = (error: HeroError.HeroError): boolean => decisionOf(error).definitive

/**
 * One registration's outcome as the CLI prints it with `--json` (and `bulk` writes it).
 *
 * @since 0.1.0
 * @category models
 */
export type Outcome =
  | { readonly outcome: "registered"; readonly patientId: string }
  | { readonly outcome: "verification_required"; readonly message: string; readonly loginUrl: string }
  | {
    readonly outcome: "error"
    readonly error: HeroError.Tag | "HeroConfigError"
    readonly status?: number
    readonly message: string
  }

/**
 * The outcome of a result.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromResult = (result: RegisterPds.Result): Outcome =>
  result._tag === "Registered"
    ? { outcome: "registered", patientId: result.patientId }
    : { outcome: "verification_required", message: result.message, loginUrl: result.loginUrl }

/**
 * The outcome of a failure (`status` only for HTTP errors).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromError = (error: HeroError.HeroError | HeroConfig.HeroConfigError): Outcome => ({
  outcome: "error",
  error: error._tag,
  ...("status" in error ? { status: error.status } : {}),
  message: error.message
})

/**
 * The exit code of a bad invocation or configuration.
 *
 * @since 0.1.0
 */
export const usageExitCode: ExitCode = 2

/**
 * The CLI's exit code for an outcome.
 *
 * @since 0.1.0
 */
export const exitCode = (outcome: Outcome): ExitCode => {
  switch (outcome.outcome) {
    case "registered":
      return 0
    case "verification_required":
      return 3
    case "error":
      return outcome.error === "HeroConfigError" ? usageExitCode : decisions[outcome.error].exitCode
  }
}
