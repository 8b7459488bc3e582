import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import type * as HeroClient from "../HeroClient.js"
import * as HeroConfig from "../HeroConfig.js"
import * as HeroError from "../HeroError.js"
import * as NhsNumber from "../NhsNumber.js"
import * as RegisterPds from "../RegisterPds.js"
import * as RetryPolicy from "../RetryPolicy.js"
import { classify } from "./response.js"
import { version } from "./version.js"

export const userAgent = `@hero-pds/core/${version}`

const networkError = (attempts: number) => (error: HttpClientError.HttpClientError) =>
  new HeroError.TransportError({ reason: "Network", attempts, detail: error.reason })

const outcomeOf = (exit: Exit.Exit<RegisterPds.Result, HeroError.HeroError>): string =>
  Exit.isSuccess(exit)
    ? exit.value._tag
    : Option.getOrElse(Cause.failureOption(exit.cause), () => undefined)?._tag ?? "Defect"

const masked = (request: RegisterPds.Request): string =>
  "nhsNumber" in request ? NhsNumber.mask(request.nhsNumber) : "demographics"

export const make: Effect.Effect<HeroClient.Service, never, HttpClient.HttpClient | HeroConfig.HeroConfig> = Effect
  .gen(function*() {
    const config = yield* HeroConfig.HeroConfig
    const httpClient = yield* HttpClient.HttpClient
    const schedule = RetryPolicy.schedule(config.retryPolicy)
    const spanAttributes = { "hero.practice_group_id": config.practiceGroupId, "hero.environment": config.environment }
    const baseRequest = HttpClientRequest.post(config.baseUrl + RegisterPds.path).pipe(
      HttpClientRequest.setHeaders({
        "x-api-key": Redacted.value(config.apiKey),
        "x-practice-group-id": config.practiceGroupId,
        accept: "application/json",
        "user-agent": userAgent
      })
    )

    const timeout = (attempts: number) => () =>
      new HeroError.TransportError({ reason: "Timeout", attempts, detail: "no response within the timeout" })

    /** One request and its classified answer; an HTTP-date hint needs the clock, nothing else does. */
    const attempt = (request: HttpClientRequest.HttpClientRequest, attempts: number) =>
      httpClient.execute(request).pipe(
        Effect.flatMap((response) => Effect.map(response.text, (body) => ({ response, body }))),
        Effect.mapError(networkError(attempts)),
        Effect.flatMap(({ body, response }) => {
          const received = { status: response.status, header: (name: string) => response.headers[name], body, attempts }
          return response.status >= 200 && response.status < 300
            ? classify({ ...received, now: 0 })
            : Effect.flatMap(Clock.currentTimeMillis, (now) => classify({ ...received, now }))
        }),
        Effect.timeoutFail({ duration: config.timeout, onTimeout: timeout(attempts) }),
        Effect.tapError((error) => Effect.logDebug(`register_pds attempt ${attempts} failed: ${error._tag}`))
      )

    /** The first attempt runs bare; the retry schedule is only built once an attempt has failed. */
    const withRetries = (request: HttpClientRequest.HttpClientRequest) => {
      let attempts = 0
      const once = Effect.suspend(() => attempt(request, ++attempts))
      const retry = (driver: Schedule.ScheduleDriver<unknown, HeroError.HeroError>, error: HeroError.HeroError) =>
        Effect.matchEffect(driver.next(error), {
          onFailure: () => Effect.fail(error),
          onSuccess: (): Effect.Effect<RegisterPds.Result, HeroError.HeroError> =>
            Effect.catchAll(once, (next) => retry(driver, next))
        })
      return Effect.catchAll(
        once,
        (error) => Effect.flatMap(Schedule.driver(schedule), (driver) => retry(driver, error))
      )
        .pipe(Effect.onExit(() => Effect.annotateCurrentSpan("hero.attempts", attempts)))
    }

    const registerPds = (input: RegisterPds.Input): Effect.Effect<RegisterPds.Result, HeroError.HeroError> => {
      const request = RegisterPds.decodeInput(input)
      const run: Effect.Effect<RegisterPds.Result, HeroError.HeroError> = Either.isLeft(request)
        ? Effect.fail(request.left)
        : withRetries(HttpClientRequest.bodyUnsafeJson(baseRequest, RegisterPds.toWire(request.right)))
      return run.pipe(
        Effect.onExit((exit) => Effect.annotateCurrentSpan("hero.outcome", outcomeOf(exit))),
        Effect.withSpan("HeroClient.registerPds", {
          kind: "client",
          captureStackTrace: false,
          attributes: { ...spanAttributes, "hero.patient": Either.isLeft(request) ? "invalid" : masked(request.right) }
        })
      )
    }

    return { registerPds }
  })
