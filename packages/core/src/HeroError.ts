/**
 * The typed failures of `register_pds`. Every failure is one of these tagged classes, each an `Error`
 * with a `_tag`. None of them ever carries the API key, a full NHS number or a date of birth.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Predicate from "effect/Predicate"
import { decisions } from "./Outcome.js"

/**
 * One problem with one field of the input, as found locally before anything was sent.
 *
 * @since 0.1.0
 * @category models
 */
export interface FieldIssue {
  /** The field, e.g. `nhsNumber` or `dob` (empty for the input as a whole). */
  readonly path: string
  /** What is wrong and what is expected. Never repeats the value. */
  readonly message: string
}

/**
 * One validation issue as Hero reports it in a 400 body.
 *
 * @since 0.1.0
 * @category models
 */
export interface HeroIssue {
  readonly code: string
  readonly expected?: string | undefined
  readonly path: ReadonlyArray<string | number>
}

/**
 * What every error of a call carries.
 *
 * @since 0.2.0
 * @category models
 */
export interface CallFields {
  /** The call's `x-correlation-id` (a UUID, the same on every attempt), to tie an audit record to Hero's logs. */
  readonly correlationId?: string | undefined
}

/**
 * What every HTTP error carries.
 *
 * @since 0.1.0
 * @category models
 */
export interface HttpErrorFields extends CallFields {
  /** The HTTP status Hero answered with. */
  readonly status: number
  /** How many requests were made, retries included. */
  readonly attempts: number
  /** Hero's `x-request-id`, when it sent one: quote it to Hero support. */
  readonly requestId?: string | undefined
}

const requestIdNote = (requestId: string | undefined) => requestId === undefined ? "" : `, request id ${requestId}`

const describe = (status: number, attempts: number, requestId: string | undefined) =>
  `HTTP ${status}${attempts > 1 ? ` after ${attempts} attempts` : ""}${requestIdNote(requestId)}`

/**
 * Local validation failed; nothing was sent to Hero.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidInput extends Data.TaggedError("InvalidInput")<
  CallFields & {
    readonly issues: ReadonlyArray<FieldIssue>
  }
> {
  override get message(): string {
    const issues = this.issues.map((issue) => issue.path === "" ? issue.message : `${issue.path} ${issue.message}`)
    return `Invalid input: ${issues.join("; ")}. Nothing was sent to Hero.`
  }
}

/**
 * Hero answered 400: the request body did not pass its validation.
 *
 * @since 0.1.0
 * @category errors
 */
export class BadRequest extends Data.TaggedError("BadRequest")<
  HttpErrorFields & { readonly issues: ReadonlyArray<HeroIssue> }
> {
  override get message(): string {
    const issues = this.issues.map((issue) =>
      `${issue.path.join(".") || "body"}: ${issue.code}${
        issue.expected === undefined ? "" : `, expected ${issue.expected}`
      }`
    )
    return `Hero rejected the request as invalid (${describe(this.status, this.attempts, this.requestId)})` +
      (issues.length > 0 ? `: ${issues.join("; ")}` : "") + ". Check the request body matches the expected format."
  }
}

/**
 * Hero answered 401: the API key is missing or not valid for this environment.
 *
 * @since 0.1.0
 * @category errors
 */
export class Unauthorized extends Data.TaggedError("Unauthorized")<HttpErrorFields> {
  override get message(): string {
    return `Hero did not accept the API key (${describe(this.status, this.attempts, this.requestId)}). ` +
      "Check the API key (the apiKey option or HERO_API_KEY) and that it belongs to the environment you are " +
      "calling (staging or production)."
  }
}

/**
 * Hero answered 403: the key may not act for this practice group.
 *
 * @since 0.1.0
 * @category errors
 */
export class Forbidden extends Data.TaggedError("Forbidden")<HttpErrorFields> {
  override get message(): string {
    return `The API key is not allowed for this practice group (${
      describe(this.status, this.attempts, this.requestId)
    }). Check the practice group id (practiceGroupId or HERO_PRACTICE_GROUP_ID) is one your key was issued for.`
  }
}

/**
 * Hero answered 404: no patient on PDS matches the details given.
 *
 * @since 0.1.0
 * @category errors
 */
export class PatientNotFound extends Data.TaggedError("PatientNotFound")<HttpErrorFields> {
  override get message(): string {
    return `No patient was found on PDS for these details (${describe(this.status, this.attempts, this.requestId)}). ` +
      "Check the NHS number and date of birth, and that the patient is registered with the NHS."
  }
}

/**
 * Hero answered 429 and retrying did not help, or it asked to wait longer than the client will.
 *
 * @since 0.1.0
 * @category errors
 */
export class RateLimited extends Data.TaggedError("RateLimited")<
  HttpErrorFields & {
    /** How long Hero asked to wait, in milliseconds, when it said. */
    readonly retryAfter?: number | undefined
  }
> {
  override get message(): string {
    const wait = this.retryAfter === undefined
      ? "Wait a little"
      : `Hero asked to wait ${Math.ceil(this.retryAfter / 1000)} s`
    return `Hero's rate limit was reached (${describe(this.status, this.attempts, this.requestId)}). ` +
      `${wait} before trying again.`
  }
}

/**
 * Hero answered with a 5xx status and retrying did not help.
 *
 * @since 0.1.0
 * @category errors
 */
export class ServerError extends Data.TaggedError("ServerError")<
  HttpErrorFields & {
    /** How long Hero asked to wait, in milliseconds, when it said. */
    readonly retryAfter?: number | undefined
  }
> {
  override get message(): string {
    return `Hero had a server error (${describe(this.status, this.attempts, this.requestId)}). ` +
      "Try again later; if it persists, contact Hero support."
  }
}

/**
 * The request did not get a response: a network failure, or no answer within the per-attempt timeout.
 *
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends Data.TaggedError("TransportError")<
  CallFields & {
    readonly reason: "Timeout" | "Network"
    /** How many requests were made, retries included. */
    readonly attempts: number
    /** What the network layer reported (never the request itself). */
    readonly detail?: string | undefined
  }
> {
  override get message(): string {
    const what = this.reason === "Timeout" ? "Hero did not answer in time" : "Could not reach Hero"
    return `${what} (after ${this.attempts} attempt${this.attempts === 1 ? "" : "s"}${
      this.detail === undefined ? "" : `: ${this.detail}`
    }). Check the network and the base URL (baseUrl or HERO_BASE_URL), then try again.`
  }
}

/**
 * Hero answered with something this client does not understand: a 2xx body matching neither result,
 * a body that is not JSON, or a status with no meaning for `register_pds`.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnexpectedResponse extends Data.TaggedError("UnexpectedResponse")<
  HttpErrorFields & {
    /** What was unexpected about it (never the body itself, which may hold patient data). */
    readonly reason: string
  }
> {
  override get message(): string {
    return `Hero sent an unexpected response (${describe(this.status, this.attempts, this.requestId)}): ${this.reason}.`
  }
}

/**
 * Any failure of `register_pds`.
 *
 * @since 0.1.0
 * @category models
 */
export type HeroError =
  | InvalidInput
  | BadRequest
  | Unauthorized
  | Forbidden
  | PatientNotFound
  | RateLimited
  | ServerError
  | TransportError
  | UnexpectedResponse

/**
 * Every `_tag` a `HeroError` can have.
 *
 * @since 0.1.0
 * @category models
 */
export type Tag = HeroError["_tag"]

/**
 * Every tag.
 *
 * @since 0.1.0
 */
export const tags: ReadonlyArray<Tag> = Object.keys(decisions) as Array<Tag>

/**
 * Whether a value is a `HeroError`.
 *
 * @since 0.1.0
 * @category refinements
 */
export const isHeroError = (u: unknown): u is HeroError =>
  u instanceof Error && Predicate.hasProperty(u, "_tag") && Object.hasOwn(decisions, u._tag as string)
