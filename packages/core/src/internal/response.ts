import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as HeroError from "../HeroError.js"
import * as RegisterPds from "../RegisterPds.js"
import * as RetryPolicy from "../RetryPolicy.js"

/** What one attempt got back: enough to classify it, nothing that could leak the request. */
export interface Received {
  readonly status: number
  readonly header: (name: string) => string | undefined
  readonly body: string
  readonly attempts: number
  /** Epoch milliseconds when it arrived, for HTTP-date `Retry-After` hints. */
  readonly now: number
}

const HeroIssues = Schema.Struct({
  message: Schema.Array(Schema.Struct({
    code: Schema.String,
    expected: Schema.optional(Schema.String),
    path: Schema.Array(Schema.Union(Schema.String, Schema.Number))
  }))
})
const decodeHeroIssues = Schema.decodeUnknownOption(HeroIssues)

const codeShape = /^[a-z][a-z_]{0,39}$/
const expectedWords: ReadonlySet<string> = new Set(
  ["string", "number", "integer", "boolean", "object", "array", "null", "undefined", "date"]
)

/**
 * Keeps only the shape of Hero's validation issues, never a value: a 400 that echoed the request (a proxy, a bug)
 * must not carry an NHS number, a date of birth or the key into the error.
 */
const redactIssue = (issue: typeof HeroIssues.Type["message"][number]): HeroError.HeroIssue => ({
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

const describeUndecodable = (received: Received): string => {
  if (received.body.trim() === "") return "the body is empty"
  const contentType = received.header("content-type") ?? "no content type"
  return Option.isNone(parseJson(received.body))
    ? `the body is not JSON (${contentType})`
    : "the JSON body is neither a patient_id nor a verification request"
}

/** Turns one attempt's response into a result or a typed error. Never throws, never a defect. */
export const classify = (received: Received): Either.Either<RegisterPds.Result, HeroError.HeroError> => {
  const { attempts, status } = received
  const requestId = received.header("x-request-id")
  const fields = { status, attempts, requestId }
  if (status >= 200 && status < 300) {
    return Either.fromOption(
      Option.flatMap(parseJson(received.body), (json) => Either.getRight(RegisterPds.decodeResult(json))),
      () => new HeroError.UnexpectedResponse({ ...fields, reason: describeUndecodable(received) })
    )
  }
  const retryAfter = Option.getOrUndefined(RetryPolicy.parseRetryAfter(received.header, received.now))
  switch (status) {
    case 400: {
      const issues = Option.flatMap(parseJson(received.body), decodeHeroIssues)
      return Either.left(
        new HeroError.BadRequest({
          ...fields,
          issues: Option.match(issues, { onNone: () => [], onSome: (_) => _.message.map(redactIssue) })
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
      return Either.left(new HeroError.TransportError({ reason: "Timeout", attempts, detail: "HTTP 408 from Hero" }))
    case 429:
      return Either.left(new HeroError.RateLimited({ ...fields, retryAfter }))
  }
  return Either.left(
    status >= 500 && status < 600
      ? new HeroError.ServerError({ ...fields, retryAfter })
      : new HeroError.UnexpectedResponse({ ...fields, reason: `HTTP ${status} has no meaning for register_pds` })
  )
}
