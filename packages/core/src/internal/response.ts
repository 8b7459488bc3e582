import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as HeroError from "../HeroError.js"
import type * as HeroTransport from "../HeroTransport.js"
import * as RegisterPds from "../RegisterPds.js"
import * as RetryPolicy from "../RetryPolicy.js"

/** What one attempt got back, and what the error fields need. Nothing that could leak the request. */
export interface Received {
  readonly response: HeroTransport.Response
  readonly attempts: number
  /** Epoch milliseconds when it arrived, for HTTP-date `Retry-After` hints. */
  readonly now: number
  /** The API key (and any other secret of the call), never to be echoed into an error. */
  readonly secrets: ReadonlyArray<string>
  /** The call's `x-correlation-id`, carried by its result or error. */
  readonly correlationId: string
}

const requestIdShape = /^[A-Za-z0-9._:-]{1,128}$/
/** Ten digits, grouped 3-3-4 or not: an NHS number. */
const nhsNumberShape = /(?<!\d)\d{3}[-._:]?\d{3}[-._:]?\d{4}(?!\d)/
/** A calendar date, year first or last, with or without separators. */
const dateShape = new RegExp(
  [
    String.raw`(?<!\d)(19|20)\d\d[-._:]?(0?[1-9]|1[0-2])[-._:]?(0?[1-9]|[12]\d|3[01])(?!\d)`,
    String.raw`(?<!\d)(0?[1-9]|[12]\d|3[01])[-._:](0?[1-9]|1[0-2])[-._:](19|20)?\d\d(?!\d)`,
    String.raw`(?<!\d)(0[1-9]|[12]\d|3[01])(0[1-9]|1[0-2])(19|20)\d\d(?!\d)`
  ].join("|")
)

/**
 * Hero's `x-request-id`, only when it is well formed (`[A-Za-z0-9._:-]{1,128}`), holds nothing shaped like an NHS
 * number or a date, and echoes no secret: a hostile or broken server must not get patient data or the key into an
 * error, a log line or a span through it.
 */
export const requestIdOf = (value: string | undefined, secrets: ReadonlyArray<string>): string | undefined =>
  value !== undefined && requestIdShape.test(value) && !nhsNumberShape.test(value) && !dateShape.test(value) &&
    !secrets.some((secret) => secret.length >= 4 && value.includes(secret))
    ? value
    : undefined

/** One issue of Hero's 400 body, as far as it is read. */
interface WireIssue {
  readonly code: string
  readonly expected?: string | undefined
  readonly path: ReadonlyArray<string | number>
}

const isWireIssue = (issue: unknown): issue is WireIssue => {
  if (typeof issue !== "object" || issue === null) return false
  const { code, expected, path } = issue as Record<string, unknown>
  return typeof code === "string" && (expected === undefined || typeof expected === "string") &&
    Array.isArray(path) && path.every((part) => typeof part === "string" || typeof part === "number")
}

/** Hero's 400 body, `{ message: [{ code, expected?, path }] }`: its issues, or `None` when it is not that shape. */
export const heroIssuesOf = (json: unknown): Option.Option<ReadonlyArray<WireIssue>> => {
  const message = typeof json === "object" && json !== null && !Array.isArray(json)
    ? (json as { readonly message?: unknown }).message
    : undefined
  return Array.isArray(message) && message.every(isWireIssue) ? Option.some(message) : Option.none()
}

const codeShape = /^[a-z][a-z_]{0,39}$/
const expectedWords: ReadonlySet<string> = new Set(
  ["string", "number", "integer", "boolean", "object", "array", "null", "undefined", "date"]
)

/**
 * Keeps only the shape of Hero's validation issues, never a value: a 400 that echoed the request (a proxy, a bug)
 * must not carry an NHS number, a date of birth or the key into the error.
 */
const redactIssue = (issue: WireIssue): HeroError.HeroIssue => ({
  code: codeShape.test(issue.code) ? issue.code : "invalid",
  ...(issue.expected !== undefined && expectedWords.has(issue.expected) ? { expected: issue.expected } : {}),
  path: issue.path.map((part) =>
    typeof part === "number" ? part : RegisterPds.wireFieldNames.has(part) ? part : "(redacted)"
  )
})

const parseJson = (body: string): Option.Option<unknown> => {
  try {
    return Option.some(JSON.parse(body))
  } catch {
    return Option.none()
  }
}

const describeStatus = (status: number): string =>
  status >= 300 && status < 400
    ? `HTTP ${status} is a redirect, which is never followed`
    : `HTTP ${status} has no meaning for register_pds`

/** A 2xx body as a result, or why it is not one (read by hand: `RegisterPds.readResult`). */
export const decodeBody = (body: string, correlationId: string): Either.Either<RegisterPds.Result, string> => {
  const json = parseJson(body)
  if (Option.isNone(json)) return Either.left(body.trim() === "" ? "the body is empty" : "the body is not JSON")
  const result = RegisterPds.readResult(json.value, correlationId)
  return result === undefined
    ? Either.left("the JSON body is neither a patient_id nor a verification request")
    : Either.right(result)
}

/** Turns one attempt's response into a result or a typed error. Never throws, never a defect. */
export const classify = (received: Received): Either.Either<RegisterPds.Result, HeroError.HeroError> => {
  const { attempts, correlationId, response: { body, headers, status } } = received
  const fields = { status, attempts, requestId: requestIdOf(headers["x-request-id"], received.secrets), correlationId }
  if (status >= 200 && status < 300) {
    return Either.mapLeft(
      decodeBody(body, correlationId),
      (reason) => new HeroError.UnexpectedResponse({ ...fields, reason })
    )
  }
  const retryAfter = Option.getOrUndefined(
    RetryPolicy.parseRetryAfter((name) => headers[name as HeroTransport.ResponseHeader], received.now)
  )
  switch (status) {
    case 400: {
      const issues = Option.flatMap(parseJson(body), heroIssuesOf)
      return Either.left(
        new HeroError.BadRequest({
          ...fields,
          issues: Option.match(issues, { onNone: () => [], onSome: (_) => _.map(redactIssue) })
        })
      )
    }
    case 401:
      return Either.left(new HeroError.Unauthorized(fields))
    case 403:
      return Either.left(new HeroError.Forbidden(fields))
    case 404:
      return Either.left(new HeroError.PatientNotFound(fields))
    case 408:
      return Either.left(
        new HeroError.TransportError({ reason: "Timeout", attempts, detail: "HTTP 408 from Hero", correlationId })
      )
    case 429:
      return Either.left(new HeroError.RateLimited({ ...fields, retryAfter }))
  }
  return Either.left(
    status >= 500 && status < 600
      ? new HeroError.ServerError({ ...fields, retryAfter })
      : new HeroError.UnexpectedResponse({ ...fields, reason: describeStatus(status) })
  )
}
