import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
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

const masked = (request: RegisterPds.Request): string =>
  "nhsNumber" in request ? NhsNumber.mask(request.nhsNumber) : "demographics"

export const make: Effect.Effect<HeroClient.Service, never, HttpClient.HttpClient | HeroConfig.HeroConfig> = Effect
  .gen(function*() {
    const config = yield* HeroConfig.HeroConfig
    const httpClient = yield* HttpClient.HttpClient
    const schedule = RetryPolicy.schedule(config.retryPolicy)
    const baseRequest = HttpClientRequest.post(config.baseUrl + RegisterPds.path).pipe(
      HttpClientRequest.setHeaders({
        "x-api-key": Redacted.value(config.apiKey),
        "x-practice-group-id": config.practiceGroupId,
        accept: "application/json",
        "user-agent": userAgent
      })
    )

    const attempt = (request: HttpClientRequest.HttpClientRequest, attempts: number) =>
      httpClient.execute(request).pipe(
        Effect.flatMap((response) =>
          Effect.zipWith(response.text, Clock.currentTimeMillis, (body, now) =>
            classify({
              status: response.status,
              header: (name) => response.headers[name],
              body,
              attempts,
              now
            }))
        ),
        Effect.mapError(networkError(attempts)),
        Effect.flatten,
        Effect.timeoutFail({
          duration: config.timeout,
          onTimeout: () =>
            new HeroError.TransportError({ reason: "Timeout", attempts, detail: "no response within the timeout" })
        }),
        Effect.tapError((error) =>
          Effect.annotateCurrentSpan("hero.last_error", error._tag).pipe(
            Effect.zipRight(Effect.logDebug(`register_pds attempt ${attempts} failed: ${error._tag}`))
          )
        )
      )

    const registerPds = (input: RegisterPds.Input) =>
      Effect.gen(function*() {
        const request = yield* Either.match(RegisterPds.decodeInput(input), {
          onLeft: Effect.fail,
          onRight: Effect.succeed
        })
        yield* Effect.annotateCurrentSpan("hero.patient", masked(request))
        const httpRequest = HttpClientRequest.bodyUnsafeJson(baseRequest, RegisterPds.toWire(request))
        let attempts = 0
        const result = yield* Effect.suspend(() => attempt(httpRequest, ++attempts)).pipe(
          Effect.retry(schedule),
          Effect.ensuring(Effect.suspend(() => Effect.annotateCurrentSpan("hero.attempts", attempts)))
        )
        yield* Effect.annotateCurrentSpan("hero.outcome", result._tag)
        return result
      }).pipe(
        Effect.tapError((error) => Effect.annotateCurrentSpan("hero.outcome", error._tag)),
        Effect.withSpan("HeroClient.registerPds", {
          kind: "client",
          attributes: { "hero.practice_group_id": config.practiceGroupId, "hero.environment": config.environment }
        })
      )

    return { registerPds }
  })
