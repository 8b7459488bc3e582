/**
 * A local stand-in for Hero's staging `POST /v1/patients/register_pds`, as a runtime-agnostic
 * `@effect/platform` HttpApp: serve it with Node, run it in a Worker, or call it in memory.
 *
 * @since 0.1.0
 */
import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as HeroConfig from "@hero-pds/core/HeroConfig"
import * as NhsNumber from "@hero-pds/core/NhsNumber"
import * as Postcode from "@hero-pds/core/Postcode"
import * as RegisterPds from "@hero-pds/core/RegisterPds"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as FaultPicker from "./internal/faultPicker.js"
import * as TokenBucket from "./internal/tokenBucket.js"
import * as SandboxPatients from "./SandboxPatients.js"

/**
 * The default API key.
 *
 * @since 0.1.0
 * @category credentials
 */
export const apiKey = "sandbox-api-key"

/**
 * The default practice group id, the one {@link apiKey} may act for.
 *
 * @since 0.1.0
 * @category credentials
 */
export const practiceGroupId = "sandbox-practice-group"

/**
 * The port `hero-pds sandbox` listens on by default.
 *
 * @since 0.1.0
 */
export const defaultPort = 4010

/**
 * The URL of the `sandbox` environment: where `hero-pds sandbox` serves by default (on Node, a client configured
 * for it talks to the embedded sandbox in memory instead).
 *
 * @since 0.1.0
 */
export const defaultUrl = `http://127.0.0.1:${defaultPort}`

/**
 * What the `sandbox` environment supplies to `HeroConfig` when neither options nor variables do: its URL and the
 * default credentials.
 *
 * @since 0.1.0
 * @category credentials
 */
export const heroConfigDefaults: HeroConfig.Defaults = {
  sandbox: {
    [HeroConfig.envNames.baseUrl]: defaultUrl,
    [HeroConfig.envNames.apiKey]: apiKey,
    [HeroConfig.envNames.practiceGroupId]: practiceGroupId
  }
}

/**
 * An API key and the practice groups it may act for.
 *
 * @since 0.1.0
 * @category models
 */
export interface Credential {
  readonly apiKey: string
  readonly practiceGroupIds: ReadonlyArray<string>
}

/**
 * A token bucket per API key: `burst` requests at once, refilled at `requestsPerSecond`.
 *
 * @since 0.1.0
 * @category models
 */
export interface RateLimit {
  readonly requestsPerSecond: number
  readonly burst: number
}

/**
 * A fault injected in place of (or, for `Delay`, before) the normal answer to a register_pds call:
 * - `Status`: an error status with Hero's error body, with optional `Retry-After` / `retry-after-ms` hints;
 * - `Delay`: a slow response, answered normally after `millis` (an Effect sleep, so `TestClock` drives it);
 * - `Drop`: the connection is dropped without an answer (see {@link DroppedConnection});
 * - `Malformed`: a raw body such as truncated JSON or an HTML error page (status 200 and
 *   `application/json` unless given).
 *
 * @since 0.1.0
 * @category faults
 */
export type Fault = Data.TaggedEnum<{
  Status: {
    readonly status: number
    readonly retryAfter?: string | undefined
    readonly retryAfterMs?: string | undefined
  }
  Delay: { readonly millis: number }
  Drop: object
  Malformed: {
    readonly body: string
    readonly contentType?: string | undefined
    readonly status?: number | undefined
  }
}>

/**
 * Constructors and matchers for {@link Fault}: `Fault.Status({ status: 503 })`, `Fault.Drop()`.
 *
 * @since 0.1.0
 * @category faults
 */
export const Fault = Data.taggedEnum<Fault>()

/**
 * Which faults to inject, after the credential and rate-limit checks: first the `script`, one fault per
 * register_pds request in order (so `[503, 503]` then normal answers); afterwards, with `probability`,
 * one of `kinds` drawn from Effect's `Random` (seed it with `Effect.withRandom`).
 *
 * @since 0.1.0
 * @category faults
 */
export interface Faults {
  readonly script?: ReadonlyArray<Fault> | undefined
  readonly random?: {
    readonly probability: number
    readonly kinds: ReadonlyArray<Fault>
  } | undefined
}

/**
 * How to set up a sandbox. Everything is optional.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Default: {@link apiKey} for {@link practiceGroupId}. */
  readonly credentials?: ReadonlyArray<Credential> | undefined
  /** Default: {@link SandboxPatients.all}. */
  readonly patients?: ReadonlyArray<SandboxPatients.Patient> | undefined
  /** Default: 10 requests per second with a burst of 10; `false` turns it off. */
  readonly rateLimit?: RateLimit | false | undefined
  /** Default: none. */
  readonly faults?: Faults | undefined
}

/**
 * The failure of the app when a `Drop` fault asks for the connection to be dropped. A server closes the
 * connection on it (as `NodeSandboxServer` does); the in-memory client fails with a transport error.
 *
 * @since 0.1.0
 * @category errors
 */
export class DroppedConnection extends Data.TaggedError("DroppedConnection") {}

const defaultCredentials: ReadonlyArray<Credential> = [{ apiKey, practiceGroupIds: [practiceGroupId] }]
const defaultRateLimit: RateLimit = { requestsPerSecond: 10, burst: 10 }
const registerPdsPath = "/v1/patients/register_pds"
const verificationMessage = "Patient must verify their identity before proceeding"
const reasons: Readonly<Record<number, string>> = {
  408: "Request Timeout",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout"
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  HttpServerResponse.unsafeJson(body, { status, headers })

const heroError = (status: number, message: unknown, headers?: Record<string, string>) =>
  json({ error: true, statusCode: status, message }, status, headers)

const sameText = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase()

const matches = (query: RegisterPds.Request) => (patient: SandboxPatients.Patient): boolean =>
  patient.dob === query.dob && ("nhsNumber" in query
    ? NhsNumber.normalize(patient.nhsNumber) === query.nhsNumber
    : sameText(patient.forename, query.forename) && sameText(patient.surname, query.surname) &&
      Postcode.normalize(patient.postcode) === Postcode.normalize(query.postcode))

const injectFault: (
  fault: Fault
) => Effect.Effect<Option.Option<HttpServerResponse.HttpServerResponse>, DroppedConnection> = Fault.$match({
  Status: ({ retryAfter, retryAfterMs, status }) =>
    Effect.succeedSome(heroError(status, reasons[status] ?? "Injected fault", {
      ...(retryAfter === undefined ? {} : { "retry-after": retryAfter }),
      ...(retryAfterMs === undefined ? {} : { "retry-after-ms": retryAfterMs })
    })),
  Delay: ({ millis }) => Effect.as(Effect.sleep(millis), Option.none()),
  Drop: () => Effect.fail(new DroppedConnection()),
  Malformed: ({ body, contentType, status }) =>
    Effect.succeedSome(
      HttpServerResponse.text(body, { status: status ?? 200, contentType: contentType ?? "application/json" })
    )
})

/**
 * Builds a sandbox: an HttpApp with its own state (rate-limit buckets, fault script, request counter).
 * Checks run in Hero's order: API key (401), practice group (403), rate limit (429), faults, body (400),
 * then the patient lookup (200 or 404). Every response has an `x-request-id` header. Nothing is logged.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<HttpApp.Default<DroppedConnection>> =>
  Effect.sync(() => {
    const credentials = options.credentials ?? defaultCredentials
    const patients = options.patients ?? SandboxPatients.all
    const takeToken = options.rateLimit === false ? undefined : TokenBucket.make(options.rateLimit ?? defaultRateLimit)
    const nextFault = FaultPicker.make(options.faults ?? {})
    let requests = 0

    const registerPds = Effect.fnUntraced(function*(request: HttpServerRequest.HttpServerRequest) {
      const credential = credentials.find((credential) => credential.apiKey === request.headers["x-api-key"])
      if (credential === undefined) return heroError(401, "Missing or invalid API key")
      const group = request.headers["x-practice-group-id"]
      if (group === undefined || !credential.practiceGroupIds.includes(group)) {
        return heroError(403, "API key does not have access to this practice group")
      }
      const wait = takeToken === undefined ? Option.none() : yield* takeToken(credential.apiKey)
      if (Option.isSome(wait)) return heroError(429, "Too many requests", { "retry-after": String(wait.value) })
      const fault = yield* nextFault
      const faulted = Option.isSome(fault) ? yield* injectFault(fault.value) : Option.none()
      if (Option.isSome(faulted)) return faulted.value
      const query = RegisterPds.decodeWire(Option.getOrUndefined(yield* Effect.option(request.json)))
      if (Either.isLeft(query)) return heroError(400, query.left)
      const patient = patients.find(matches(query.right))
      if (patient === undefined) return heroError(404, "Patient not found")
      return patient.loginUrl === undefined
        ? json({ patient_id: SandboxPatients.patientIdOf(patient) })
        : json({ message: verificationMessage, login_url: patient.loginUrl })
    })

    return Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const requestId = `sandbox-${++requests}`
      const path = request.url.replace(/[?#].*$/, "")
      const response = path === registerPdsPath && request.method === "POST"
        ? yield* registerPds(request)
        : path === "/healthz" && request.method === "GET"
        ? json({ status: "ok" })
        : heroError(404, "Not found")
      return HttpServerResponse.setHeader(response, "x-request-id", requestId)
    })
  })

/**
 * A sandbox as a web handler, `(request: Request) => Promise<Response>`, for Workers and other fetch-style
 * runtimes. Its state is built on the first request, never at import time. A `Drop` fault answers an empty
 * 500 here, since a web handler cannot drop its connection.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toWebHandler = (options: Options = {}): (request: Request) => Promise<Response> => {
  let handler: ((request: Request) => Promise<Response>) | undefined
  return (request) => {
    handler ??= HttpApp.toWebHandler(Effect.runSync(make(options)))
    return handler(request)
  }
}
