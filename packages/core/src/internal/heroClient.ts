import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
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

const invalidOption = (path: string, message: string): HeroError.InvalidInput["issues"] => [{ path, message }]

const isWhole = (value: unknown, min: number, max: number): value is number =>
  typeof value === "number" && Number.isInteger(value) && value >= min && value <= max

/** What is wrong with the per-call options, if anything (the call then sends nothing). */
const optionIssues = (options: HeroClient.CallOptions): HeroError.InvalidInput["issues"] | undefined => {
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
  return undefined
}

/** One call's settings, after its options are applied to the client's. */
interface Call {
  readonly correlationId: string
  readonly request: RegisterPds.Request
  readonly practiceGroupId: string
  readonly headers: Record<string, string>
  readonly body: string
  readonly timeout: number
  readonly schedule: Schedule.Schedule<unknown, HeroError.HeroError>
  /** Epoch milliseconds by which the call ends, when the client has a deadline. */
  readonly deadlineAt: number | undefined
}

/** How a first attempt run outside a fiber ended: the result, or the effect that carries the call on from its error. */
export type FirstOutcome = Either.Either<
  RegisterPds.Result,
  Effect.Effect<RegisterPds.Result, HeroError.HeroError>
>

/** The client as `make` builds it: the service, and the way in the Promise client takes. */
export interface Client extends HeroClient.Service {
  /**
   * Starts a call's first attempt without a fiber, when nothing could make it wait (a callback transport, no rate
   * or concurrency limit, no cooldown) and its input and options are valid; else returns `undefined`, and the call
   * is `registerPds`'s to run. `settled` gets the result, or the effect that goes on from the attempt's error
   * (cooldown, retries, deadline) exactly as `registerPds` would; the function returned aborts the attempt.
   * Times are read from `Date.now()`: the Promise client runs on the live clock.
   */
  readonly startFirst: (
    input: RegisterPds.Input,
    options: HeroClient.CallOptions,
    settled: (outcome: FirstOutcome) => void
  ) => (() => void) | undefined
}

export const make: Effect.Effect<Client, never, HeroTransport.HeroTransport | HeroConfig.HeroConfig> = Effect.gen(
  function*() {
    const config = yield* HeroConfig.HeroConfig
    const transport = yield* HeroTransport.HeroTransport
    const schedule = RetryPolicy.schedule(config.retryPolicy)
    const timeout = Duration.toMillis(config.timeout)
    const deadline = config.deadline === undefined ? undefined : Duration.toMillis(config.deadline)
    const apiKey = Redacted.value(config.apiKey)
    const secrets = [apiKey]
    /** An object literal, not a spread of shared headers: it is built on every call, and a spread costs more. */
    const headersFor = (practiceGroupId: string, correlationId: string): Record<string, string> => ({
      "x-api-key": apiKey,
      "x-practice-group-id": practiceGroupId,
      "content-type": "application/json",
      accept: "application/json",
      "user-agent": userAgent,
      "x-correlation-id": correlationId
    })
    // Every call of this client waits out a server's hint before sending, and shares its rate and concurrency,
    // whichever practice group it acts for.
    const gate = yield* Gate.make({
      requestsPerSecond: config.maxRequestsPerSecond,
      maxConcurrency: config.maxConcurrency
    })
    const maxRetryAfter = Duration.toMillis(config.retryPolicy.maxRetryAfter)

    const url = config.baseUrl + RegisterPds.path
    const requestFor = (call: Call, timeout: number): HeroTransport.Request => ({
      url,
      headers: call.headers,
      body: call.body,
      timeout
    })

    /** An attempt's timeout at `now`: the call's, shortened to what is left of its deadline. */
    const timeoutAt = (call: Call, now: number): number =>
      call.deadlineAt === undefined ? call.timeout : Math.max(1, Math.min(call.timeout, call.deadlineAt - now))

    /** One attempt over the transport (the clock is read only when the call has a deadline). */
    const sendWithin = (call: Call) =>
      call.deadlineAt === undefined
        ? transport.send(requestFor(call, call.timeout))
        : Effect.flatMap(Clock.currentTimeMillis, (now) => transport.send(requestFor(call, timeoutAt(call, now))))

    /** A failed attempt: recorded in `failed`, starting any cooldown the server asked for, then failing the step. */
    const failAttempt = (
      error: HeroError.HeroError,
      attempts: number,
      failed: (error: HeroError.HeroError) => void
    ): Effect.Effect<never, HeroError.HeroError> => {
      failed(error)
      const hint = RetryPolicy.hintOf(error)
      const log = Effect.logDebug(`register_pds attempt ${attempts} failed: ${error._tag}`)
      return Effect.zipRight(
        hint === undefined || hint > maxRetryAfter ? log : Effect.zipRight(gate.cooldown(hint), log),
        Effect.fail(error)
      )
    }

    /**
     * One request and its classified answer, in one step of the fiber; an HTTP-date hint needs the clock, nothing
     * else does.
     */
    const attempt = (
      call: Call,
      attempts: number,
      failed: (error: HeroError.HeroError) => void
    ): Effect.Effect<RegisterPds.Result, HeroError.HeroError> => {
      const settle = (outcome: Either.Either<RegisterPds.Result, HeroError.HeroError>) =>
        Either.isRight(outcome) ? Effect.succeed(outcome.right) : failAttempt(outcome.left, attempts, failed)
      return Effect.matchEffect(gate.send(sendWithin(call)), {
        onFailure: (failure) => failAttempt(fromFailure(failure, attempts, call.correlationId), attempts, failed),
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
     * The first attempt runs bare (or has already failed with `first`, outside a fiber); the retry schedule is only
     * stepped once an attempt has failed. With a deadline, a wait that would end past it is not begun (the call fails
     * at once with the error in hand), and the deadline ends whatever is under way with the last error, or a timeout
     * when nothing answered.
     */
    const withRetries = (call: Call, span: Tracer.Span | undefined, first?: HeroError.HeroError) => {
      let attempts = first === undefined ? 0 : 1
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
      const retried = Effect.catchAll(
        first === undefined ? once : failAttempt(first, attempts, failed),
        (error) => retry(call.schedule.initial, error)
      )
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

    /** A call's settings from its input and options, or why they are invalid (nothing is then sent). */
    const prepare = (
      input: RegisterPds.Input,
      options: HeroClient.CallOptions,
      correlationId: string,
      deadlineAt: number | undefined
    ): Either.Either<Call, HeroError.InvalidInput> => {
      const issues = optionIssues(options)
      const request = issues === undefined ? decodeInput(input) : Either.left({ issues })
      if (Either.isLeft(request)) {
        return Either.left(new HeroError.InvalidInput({ issues: request.left.issues, correlationId }))
      }
      const practiceGroupId = options.practiceGroupId ?? config.practiceGroupId
      return Either.right({
        correlationId,
        request: request.right,
        practiceGroupId,
        headers: headersFor(practiceGroupId, correlationId),
        body: JSON.stringify(wireOf(request.right)),
        timeout: options.timeoutMs ?? timeout,
        schedule: options.maxRetries === undefined
          ? schedule
          : RetryPolicy.schedule({ ...config.retryPolicy, maxRetries: options.maxRetries }),
        deadlineAt
      })
    }

    const run = (
      input: RegisterPds.Input,
      options: HeroClient.CallOptions,
      span: Tracer.Span | undefined,
      deadlineAt: number | undefined
    ): Effect.Effect<RegisterPds.Result, HeroError.HeroError> => {
      const call = prepare(input, options, crypto.randomUUID(), deadlineAt)
      if (Either.isLeft(call)) {
        span?.attribute("hero.correlation_id", call.left.correlationId)
        span?.attribute("hero.outcome", call.left._tag)
        return Effect.fail(call.left)
      }
      span?.attribute("hero.correlation_id", call.right.correlationId)
      span?.attribute("hero.practice_group_id", call.right.practiceGroupId)
      span?.attribute("hero.patient", masked(call.right.request))
      return withRetries(call.right, span)
    }

    const runTraced = (
      input: RegisterPds.Input,
      options: HeroClient.CallOptions,
      span: Tracer.Span | undefined
    ): Effect.Effect<RegisterPds.Result, HeroError.HeroError> =>
      deadline === undefined
        ? run(input, options, span, undefined)
        : Effect.flatMap(Clock.currentTimeMillis, (now) => run(input, options, span, now + deadline))

    /** With tracing off (as in the Promise clients) no span is made at all: it would cost more than the rest. */
    const registerPds = (
      input: RegisterPds.Input,
      options: HeroClient.CallOptions = {}
    ): Effect.Effect<RegisterPds.Result, HeroError.HeroError> =>
      Effect.withFiberRuntime((fiber) =>
        fiber.getFiberRef(FiberRef.currentTracerEnabled)
          ? Effect.useSpan("HeroClient.registerPds", spanOptions, (span) => runTraced(input, options, span))
          : runTraced(input, options, undefined)
      )

    const startFirst: Client["startFirst"] = (input, options, settled) => {
      const start = transport.start
      const now = Date.now()
      if (start === undefined || !gate.idle(now)) return undefined
      const prepared = prepare(input, options, crypto.randomUUID(), deadline === undefined ? undefined : now + deadline)
      if (Either.isLeft(prepared)) return undefined
      const call = prepared.right
      return start(requestFor(call, timeoutAt(call, now)), (outcome) => {
        const answer = Either.isLeft(outcome)
          ? Either.left(fromFailure(outcome.left, 1, call.correlationId))
          : classify({
            response: outcome.right,
            attempts: 1,
            secrets,
            correlationId: call.correlationId,
            now: Date.now()
          })
        settled(Either.isRight(answer) ? answer : Either.left(withRetries(call, undefined, answer.left)))
      })
    }

    return { registerPds, startFirst }
  }
)

/** The client with the Promise client's way in. */
export class Internal extends Context.Tag("@hero-pds/core/internal/HeroClient")<Internal, Client>() {}

/** {@link Internal} over the transport and configuration in the context. */
export const layer: Layer.Layer<Internal, never, HeroTransport.HeroTransport | HeroConfig.HeroConfig> =
  /* @__PURE__ */ Layer.effect(Internal, make)
