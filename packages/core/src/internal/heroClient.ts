import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import * as Redacted from "effect/Redacted"
import type * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as Intervals from "effect/ScheduleIntervals"
import type * as Tracer from "effect/Tracer"
import type * as HeroClient from "../HeroClient.js"
import * as HeroConfig from "../HeroConfig.js"
import * as HeroError from "../HeroError.js"
import * as HeroTransport from "../HeroTransport.js"
import * as NhsNumber from "../NhsNumber.js"
import * as RegisterPds from "../RegisterPds.js"
import * as RetryPolicy from "../RetryPolicy.js"
import * as Gate from "./gate.js"
import { decodeInput, wireOf } from "./request.js"
import { classify } from "./response.js"
import { version } from "./version.js"

export const userAgent = `@hero-pds/core/${version}`

const timedOut = (attempts: number, correlationId: string) =>
  new HeroError.TransportError({
    reason: "Timeout",
    attempts,
    detail: "no complete response within the timeout",
    correlationId
  })

const fromFailure = (
  failure: HeroTransport.TransportFailure,
  attempts: number,
  correlationId: string
): HeroError.HeroError =>
  failure.reason === "TooLarge"
    ? new HeroError.UnexpectedResponse({
      status: failure.status ?? 0,
      attempts,
      reason: `the body is over ${HeroTransport.maxBodyBytes / 1024} KiB`,
      correlationId
    })
    : failure.reason === "Timeout"
    ? timedOut(attempts, correlationId)
    : new HeroError.TransportError({ reason: "Network", attempts, detail: failure.detail, correlationId })

const masked = (request: RegisterPds.Request): string =>
  "nhsNumber" in request ? NhsNumber.mask(request.nhsNumber) : "demographics"

const invalidOption = (path: string, message: string) =>
  Either.left(new HeroError.InvalidInput({ issues: [{ path, message }] }))

const isWhole = (value: unknown, min: number, max: number): value is number =>
  typeof value === "number" && Number.isInteger(value) && value >= min && value <= max

/** Checks per-call options, as `InvalidInput` (nothing is sent) when one cannot work. */
const checkOptions = (
  options: HeroClient.CallOptions
): Either.Either<HeroClient.CallOptions, HeroError.InvalidInput> => {
  if (
    options.practiceGroupId !== undefined &&
    (typeof options.practiceGroupId !== "string" || options.practiceGroupId.trim() === "")
  ) {
    return invalidOption("practiceGroupId", "must be a non-empty practice group id")
  }
  if (options.timeoutMs !== undefined && !isWhole(options.timeoutMs, 1, 600_000)) {
    return invalidOption("timeoutMs", "must be a whole number of milliseconds from 1 to 600000")
  }
  if (options.maxRetries !== undefined && !isWhole(options.maxRetries, 0, 10)) {
    return invalidOption("maxRetries", "must be a whole number from 0 to 10")
  }
  return Either.right(options)
}

/** One call's settings, after its options are applied to the client's. */
interface Call {
  readonly correlationId: string
  readonly headers: Record<string, string>
  readonly body: string
  readonly timeout: number
  readonly schedule: Schedule.Schedule<unknown, HeroError.HeroError>
  /** Epoch milliseconds by which the call ends, when the client has a deadline. */
  readonly deadlineAt: number | undefined
}

export const make: Effect.Effect<HeroClient.Service, never, HeroTransport.HeroTransport | HeroConfig.HeroConfig> =
  Effect.gen(function*() {
    const config = yield* HeroConfig.HeroConfig
    const transport = yield* HeroTransport.HeroTransport
    const schedule = RetryPolicy.schedule(config.retryPolicy)
    const timeout = Duration.toMillis(config.timeout)
    const deadline = config.deadline === undefined ? undefined : Duration.toMillis(config.deadline)
    const apiKey = Redacted.value(config.apiKey)
    const secrets = [apiKey]
    const baseHeaders = {
      "x-api-key": apiKey,
      "x-practice-group-id": config.practiceGroupId,
      "content-type": "application/json",
      accept: "application/json",
      "user-agent": userAgent
    }
    // Every call of this client waits out a server's hint before sending, and shares its rate and concurrency,
    // whichever practice group it acts for.
    const gate = yield* Gate.make({
      requestsPerSecond: config.maxRequestsPerSecond,
      maxConcurrency: config.maxConcurrency
    })
    const maxRetryAfter = Duration.toMillis(config.retryPolicy.maxRetryAfter)

    const url = config.baseUrl + RegisterPds.path
    const send = (call: Call, timeout: number) =>
      transport.send({ url, headers: call.headers, body: call.body, timeout })

    /** One attempt over the transport, its timeout shortened to what is left of the call's deadline. */
    const sendWithin = (call: Call) =>
      call.deadlineAt === undefined
        ? send(call, call.timeout)
        : Effect.flatMap(
          Clock.currentTimeMillis,
          (now) => send(call, Math.max(1, Math.min(call.timeout, call.deadlineAt! - now)))
        )

    /**
     * One request and its classified answer, in one step of the fiber (a failure is recorded in `failed`, which
     * starts any cooldown the server asked for); an HTTP-date hint needs the clock, nothing else does.
     */
    const attempt = (
      call: Call,
      attempts: number,
      failed: (error: HeroError.HeroError) => void
    ): Effect.Effect<RegisterPds.Result, HeroError.HeroError> => {
      const fail = (error: HeroError.HeroError) => {
        failed(error)
        const hint = RetryPolicy.hintOf(error)
        const log = Effect.logDebug(`register_pds attempt ${attempts} failed: ${error._tag}`)
        return Effect.zipRight(
          hint === undefined || hint > maxRetryAfter ? log : Effect.zipRight(gate.cooldown(hint), log),
          Effect.fail(error)
        )
      }
      const settle = (outcome: Either.Either<RegisterPds.Result, HeroError.HeroError>) =>
        Either.isRight(outcome) ? Effect.succeed(outcome.right) : fail(outcome.left)
      return Effect.matchEffect(gate.send(sendWithin(call)), {
        onFailure: (failure) => fail(fromFailure(failure, attempts, call.correlationId)),
        onSuccess: (response) =>
          response.status >= 200 && response.status < 300
            ? settle(classify({ response, attempts, secrets, correlationId: call.correlationId, now: 0 }))
            : Effect.flatMap(
              Clock.currentTimeMillis,
              (now) => settle(classify({ response, attempts, secrets, correlationId: call.correlationId, now }))
            )
      })
    }

    /**
     * The first attempt runs bare; the retry schedule is only stepped once an attempt has failed. With a deadline,
     * a wait that would end past it is not begun (the call fails at once with the error in hand), and the deadline
     * ends whatever is under way with the last error, or a timeout when nothing answered.
     */
    const withRetries = (call: Call, span: Tracer.Span | undefined) => {
      let attempts = 0
      let last: HeroError.HeroError | undefined
      const failed = (error: HeroError.HeroError) => {
        last = error
      }
      const once = Effect.suspend(() => attempt(call, ++attempts, failed))
      const retry = (
        state: unknown,
        error: HeroError.HeroError
      ): Effect.Effect<RegisterPds.Result, HeroError.HeroError> =>
        Effect.flatMap(
          Clock.currentTimeMillis,
          (now) =>
            Effect.flatMap(call.schedule.step(now, error, state), ([next, , decision]) => {
              if (ScheduleDecision.isDone(decision)) return Effect.fail(error)
              const wakeAt = Intervals.start(decision.intervals)
              if (call.deadlineAt !== undefined && wakeAt >= call.deadlineAt) return Effect.fail(error)
              return Effect.zipRight(
                Effect.sleep(Math.max(0, wakeAt - now)),
                Effect.catchAll(once, (failed) => retry(next, failed))
              )
            })
        )
      const annotate = (outcome: string) =>
        Effect.sync(() => {
          span?.attribute("hero.attempts", attempts)
          span?.attribute("hero.outcome", outcome)
        })
      const retried = Effect.catchAll(once, (error) => retry(call.schedule.initial, error))
      const bounded = call.deadlineAt === undefined ?
        retried :
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Effect.timeoutFail(retried, {
            duration: Math.max(0, call.deadlineAt! - now),
            onTimeout: () => last ?? timedOut(attempts, call.correlationId)
          }))
      return span === undefined ? bounded : bounded.pipe(
        Effect.tapBoth({ onSuccess: (result) => annotate(result._tag), onFailure: (error) => annotate(error._tag) }),
        Effect.withParentSpan(span)
      )
    }

    const spanOptions: Tracer.SpanOptions = {
      kind: "client",
      captureStackTrace: false,
      attributes: { "hero.environment": config.environment }
    }

    const run = (
      input: RegisterPds.Input,
      options: HeroClient.CallOptions,
      span: Tracer.Span | undefined
    ): Effect.Effect<RegisterPds.Result, HeroError.HeroError> => {
      const correlationId = crypto.randomUUID()
      span?.attribute("hero.correlation_id", correlationId)
      const request = Either.flatMap(checkOptions(options), () => decodeInput(input))
      if (Either.isLeft(request)) {
        span?.attribute("hero.outcome", request.left._tag)
        return Effect.fail(new HeroError.InvalidInput({ issues: request.left.issues, correlationId }))
      }
      const practiceGroupId = options.practiceGroupId ?? config.practiceGroupId
      span?.attribute("hero.practice_group_id", practiceGroupId)
      span?.attribute("hero.patient", masked(request.right))
      const headers = { ...baseHeaders, "x-practice-group-id": practiceGroupId, "x-correlation-id": correlationId }
      const body = JSON.stringify(wireOf(request.right))
      const callSchedule = options.maxRetries === undefined
        ? schedule
        : RetryPolicy.schedule({ ...config.retryPolicy, maxRetries: options.maxRetries })
      const call = (deadlineAt: number | undefined): Call => ({
        correlationId,
        headers,
        body,
        timeout: options.timeoutMs ?? timeout,
        schedule: callSchedule,
        deadlineAt
      })
      return deadline === undefined
        ? withRetries(call(undefined), span)
        : Effect.flatMap(Clock.currentTimeMillis, (now) => withRetries(call(now + deadline), span))
    }

    /** With tracing off (as in the Promise clients) no span is made at all: it would cost more than the rest. */
    const registerPds = (
      input: RegisterPds.Input,
      options: HeroClient.CallOptions = {}
    ): Effect.Effect<RegisterPds.Result, HeroError.HeroError> =>
      Effect.withFiberRuntime((fiber) =>
        fiber.getFiberRef(FiberRef.currentTracerEnabled)
          ? Effect.useSpan("HeroClient.registerPds", spanOptions, (span) => run(input, options, span))
          : run(input, options, undefined)
      )

    return { registerPds }
  })
