import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import type * as Tracer from "effect/Tracer"
import * as HeroClient from "../HeroClient.js"
import * as HeroConfig from "../HeroConfig.js"
import * as HeroError from "../HeroError.js"
import * as NhsNumber from "../NhsNumber.js"
import * as RegisterPds from "../RegisterPds.js"
import * as RetryPolicy from "../RetryPolicy.js"
import * as Gate from "./gate.js"
import { classify } from "./response.js"
import { version } from "./version.js"

export const userAgent = `@hero-pds/core/${version}`

const timedOut = (attempts: number) =>
  new HeroError.TransportError({ reason: "Timeout", attempts, detail: "no response within the timeout" })

const timeoutCauses: ReadonlySet<string> = new Set(["TimeoutError", "HeadersTimeoutError", "BodyTimeoutError"])

/** A transport failure; a timeout when the HttpClient says so (see `HeroClient.TimeoutEnforcement`). */
const transportError = (attempts: number) => (error: HttpClientError.HttpClientError) =>
  Predicate.hasProperty(error.cause, "name") && timeoutCauses.has(String(error.cause.name))
    ? timedOut(attempts)
    : new HeroError.TransportError({ reason: "Network", attempts, detail: error.reason })

const masked = (request: RegisterPds.Request): string =>
  "nhsNumber" in request ? NhsNumber.mask(request.nhsNumber) : "demographics"

export const make: Effect.Effect<HeroClient.Service, never, HttpClient.HttpClient | HeroConfig.HeroConfig> = Effect
  .gen(function*() {
    const config = yield* HeroConfig.HeroConfig
    const httpClient = yield* HttpClient.HttpClient
    const schedule = RetryPolicy.schedule(config.retryPolicy)
    const spanOptions: Tracer.SpanOptions = {
      kind: "client",
      captureStackTrace: false,
      attributes: { "hero.practice_group_id": config.practiceGroupId, "hero.environment": config.environment }
    }
    const baseRequest = HttpClientRequest.post(config.baseUrl + RegisterPds.path).pipe(
      HttpClientRequest.setHeaders({
        "x-api-key": Redacted.value(config.apiKey),
        "x-practice-group-id": config.practiceGroupId,
        accept: "application/json",
        "user-agent": userAgent
      })
    )

    const effectTimeout = (yield* HeroClient.TimeoutEnforcement) === "effect"
    // Every call of this client waits out a server's hint before sending, and shares its rate and concurrency.
    const gate = yield* Gate.make({
      requestsPerSecond: config.maxRequestsPerSecond,
      maxConcurrency: config.maxConcurrency
    })
    const maxRetryAfter = Duration.toMillis(config.retryPolicy.maxRetryAfter)
    const withTimeout = <A>(effect: Effect.Effect<A, HeroError.HeroError>, attempts: number) =>
      effectTimeout
        ? Effect.timeoutFail(effect, { duration: config.timeout, onTimeout: () => timedOut(attempts) })
        : effect

    /** One request and its classified answer; an HTTP-date hint needs the clock, nothing else does. */
    const attempt = (request: HttpClientRequest.HttpClientRequest, attempts: number) =>
      httpClient.execute(request).pipe(
        Effect.flatMap((response) => Effect.map(response.text, (body) => ({ response, body }))),
        Effect.mapError(transportError(attempts)),
        Effect.flatMap(({ body, response }) => {
          const headers = response.headers
          const received = { status: response.status, header: (name: string) => headers[name], body, attempts }
          return response.status >= 200 && response.status < 300
            ? classify({ ...received, now: 0 })
            : Effect.flatMap(Clock.currentTimeMillis, (now) => classify({ ...received, now }))
        }),
        (effect) => gate.send(withTimeout(effect, attempts)),
        Effect.tapError((error) => {
          const hint = RetryPolicy.hintOf(error)
          const log = Effect.logDebug(`register_pds attempt ${attempts} failed: ${error._tag}`)
          return hint === undefined || hint > maxRetryAfter ? log : Effect.zipRight(gate.cooldown(hint), log)
        })
      )

    /** The first attempt runs bare; the retry schedule is only built once an attempt has failed. */
    const withRetries = (request: HttpClientRequest.HttpClientRequest, span: Tracer.Span) => {
      let attempts = 0
      const once = Effect.suspend(() => attempt(request, ++attempts))
      const retry = (driver: Schedule.ScheduleDriver<unknown, HeroError.HeroError>, error: HeroError.HeroError) =>
        Effect.matchEffect(driver.next(error), {
          onFailure: () => Effect.fail(error),
          onSuccess: (): Effect.Effect<RegisterPds.Result, HeroError.HeroError> =>
            Effect.catchAll(once, (next) => retry(driver, next))
        })
      const annotate = (outcome: string) =>
        Effect.sync(() => {
          span.attribute("hero.attempts", attempts)
          span.attribute("hero.outcome", outcome)
        })
      return Effect.catchAll(
        once,
        (error) => Effect.flatMap(Schedule.driver(schedule), (driver) => retry(driver, error))
      )
        .pipe(
          Effect.tapBoth({ onSuccess: (result) => annotate(result._tag), onFailure: (error) => annotate(error._tag) }),
          Effect.withParentSpan(span)
        )
    }

    /** The span is used directly (not looked up), so calls pay nothing for it when tracing is off. */
    const registerPds = (input: RegisterPds.Input): Effect.Effect<RegisterPds.Result, HeroError.HeroError> =>
      Effect.useSpan("HeroClient.registerPds", spanOptions, (span) => {
        const request = RegisterPds.decodeInput(input)
        if (Either.isLeft(request)) {
          span.attribute("hero.outcome", request.left._tag)
          return Effect.fail(request.left)
        }
        span.attribute("hero.patient", masked(request.right))
        return withRetries(HttpClientRequest.bodyUnsafeJson(baseRequest, RegisterPds.toWire(request.right)), span)
      })

    return { registerPds }
  })
