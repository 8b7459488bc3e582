/**
 * The Slack app as one `@effect/platform` HttpApp: `POST /slack/commands` (the slash command),
 * `POST /slack/interactions` (button clicks) and `GET /healthz`. Runtime-agnostic: the Node entry serves it, the
 * Workers entry wraps it as a fetch handler.
 *
 * A command is verified (signature, timestamp, size, content type), authorised (workspace, user, channel,
 * practice), parsed, admitted to the bounded queue in front of Hero, and acknowledged at once: nothing on that
 * path waits for Hero or for the queue. The Hero call and the follow-up POST to `response_url` run afterwards
 * through {@link FollowUps}, within the command's deadline, and always end with a final follow-up.
 *
 * @since 0.1.0
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import type * as HeroError from "@hero-pds/core/HeroError"
import * as NhsNumber from "@hero-pds/core/NhsNumber"
import * as HeroOutcome from "@hero-pds/core/Outcome"
import type * as RegisterPds from "@hero-pds/core/RegisterPds"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as FiberSet from "effect/FiberSet"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import type * as Scheduler from "effect/Scheduler"
import * as Body from "./internal/body.js"
import * as Dedupe from "./internal/dedupe.js"
import * as Queue from "./internal/queue.js"
import * as SlackAudit from "./SlackAudit.js"
import * as SlackCommand from "./SlackCommand.js"
import * as SlackConfig from "./SlackConfig.js"
import * as SlackPractices from "./SlackPractices.js"
import * as SlackReply from "./SlackReply.js"
import * as SlackSignature from "./SlackSignature.js"

/**
 * The largest request body accepted, in bytes (64 KiB); larger requests get 413.
 *
 * @since 0.1.0
 */
export const maxBodyBytes = 64 * 1024

/**
 * How long the same command from the same person reuses the first result, in milliseconds.
 *
 * @since 0.1.0
 */
export const duplicateWindowMillis = 60_000

/**
 * The most commands the duplicate guard remembers at once.
 *
 * @since 0.1.0
 */
export const duplicateGuardSize = 1_000

/**
 * The most POSTs to one `response_url`: Slack accepts 5 within 30 minutes; one is kept spare.
 *
 * @since 0.1.0
 */
export const maxFollowUpPosts = 4

/**
 * Runs work after the HTTP answer: a fiber set on Node, `ctx.waitUntil` in a Worker.
 *
 * @since 0.1.0
 * @category models
 */
export interface FollowUpRunner {
  readonly run: (effect: Effect.Effect<void>) => Effect.Effect<void>
}

/**
 * Where follow-up work runs.
 *
 * @since 0.1.0
 * @category tags
 */
export class FollowUps extends Context.Tag("@hero-pds/slack-bot/FollowUps")<FollowUps, FollowUpRunner>() {}

/**
 * The bounded queue in front of Hero (`HERO_MAX_CONCURRENCY` in flight, `SLACK_MAX_QUEUED_COMMANDS` waiting),
 * one per process or isolate.
 *
 * @since 0.1.0
 * @category tags
 */
export class CommandQueue extends Context.Tag("@hero-pds/slack-bot/CommandQueue")<CommandQueue, Queue.Queue>() {}

/**
 * The queue as configured.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerCommandQueue: Layer.Layer<CommandQueue, never, SlackConfig.SlackConfig> = Layer.effect(
  CommandQueue,
  Effect.map(
    SlackConfig.SlackConfig,
    (config) => Queue.make({ concurrency: config.maxConcurrency, capacity: config.maxQueued })
  )
)

/**
 * Follow-ups as fibers of a set that lives as long as the layer. On release (shutdown) the queue is closed, so
 * commands still waiting get their final "try again" follow-up at once; commands in flight get up to
 * `drainMillis` (default 7 s) to finish, and are then interrupted, which sends theirs. Bounded in all.
 * With a `scheduler`, follow-up fibers run on it: the Node entry runs them after pending I/O, so that in a burst
 * acknowledgements go first.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFollowUps = (
  options: { readonly drainMillis?: number | undefined; readonly scheduler?: Scheduler.Scheduler | undefined } = {}
): Layer.Layer<FollowUps, never, CommandQueue> =>
  Layer.scoped(
    FollowUps,
    Effect.gen(function*() {
      const queue = yield* CommandQueue
      const set = yield* FiberSet.make()
      yield* Effect.addFinalizer(() =>
        // Finalizers run uninterruptibly: the wait is made interruptible so that its timeout can end it.
        Effect.zipRight(
          queue.close,
          Effect.ignore(Effect.timeout(Effect.interruptible(FiberSet.awaitEmpty(set)), options.drainMillis ?? 7_000))
        )
      )
      const { scheduler } = options
      return {
        run: (effect) => {
          // Interruptible whatever the request fiber is (the platform may run handlers uninterruptibly), so that
          // shutdown can end them.
          const fork = Effect.asVoid(FiberSet.run(set, Effect.interruptible(effect)))
          return scheduler === undefined ? fork : Effect.withScheduler(fork, scheduler)
        }
      }
    })
  )

/**
 * Hero did not answer within the command's deadline.
 *
 * @since 0.1.0
 * @category errors
 */
export class DeadlineExceeded {
  readonly _tag = "DeadlineExceeded"
}

/**
 * The app stopped (shutdown) before the command finished.
 *
 * @since 0.1.0
 * @category errors
 */
export class Stopped {
  readonly _tag = "Stopped"
}

/** What a registration ended with: a result, a typed failure, or a defect. */
type Outcome = Exit.Exit<RegisterPds.Result, HeroError.HeroError | DeadlineExceeded | Stopped>

const json = (message: SlackReply.Message) => HttpServerResponse.unsafeJson(message)
const status = (code: number, text: string) => HttpServerResponse.text(text, { status: code })

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

/**
 * A short random reference that staff can read out: 10 characters, about 49 bits. It starts with a letter, so it is
 * never ten digits (which the logger would mask as an NHS number).
 */
const newReference = (): string => {
  const bytes = crypto.getRandomValues(new Uint8Array(10))
  return Array.from(bytes, (byte, i) => i === 0 ? crockford[10 + (byte % 22)] : crockford[byte & 31]).join("")
}

const isForm = (contentType: string | undefined) =>
  contentType !== undefined &&
  contentType.split(";")[0]!.trim().toLowerCase() === "application/x-www-form-urlencoded"

const failureOf = (outcome: Outcome) => Exit.isFailure(outcome) ? Cause.failureOption(outcome.cause) : Option.none()

const outcomeTag = (outcome: Outcome): string =>
  Exit.isSuccess(outcome)
    ? outcome.value._tag
    : Option.match(failureOf(outcome), { onNone: () => "Defect", onSome: (error) => error._tag })

const isHeroError = (error: HeroError.HeroError | DeadlineExceeded | Stopped): error is HeroError.HeroError =>
  error._tag !== "DeadlineExceeded" && error._tag !== "Stopped"

/** Results worth reusing within the window (core's table); anything temporary is forgotten so a retry retries. */
const isDefinitive = (outcome: Outcome): boolean =>
  Exit.isSuccess(outcome) ||
  Option.match(failureOf(outcome), {
    onNone: () => false,
    onSome: (error) => isHeroError(error) && HeroOutcome.isDefinitive(error)
  })

const replyFor = (masked: string, outcome: Outcome, reference: string): SlackReply.Message =>
  Exit.isSuccess(outcome)
    ? outcome.value._tag === "Registered"
      ? SlackReply.registered(masked, outcome.value, reference)
      : SlackReply.verificationRequired(masked, outcome.value, reference)
    : Option.match(failureOf(outcome), {
      onNone: () => SlackReply.failed(masked, undefined, reference),
      onSome: (error) =>
        error._tag === "DeadlineExceeded"
          ? SlackReply.deadlineExceeded(masked, reference)
          : error._tag === "Stopped"
          ? SlackReply.stopped(masked, reference)
          : SlackReply.failed(masked, error, reference)
    })

/** The Hero call's correlation id (`x-correlation-id`), which core puts on its results and errors. */
const correlation = (correlationId: string | undefined) => correlationId === undefined ? {} : { correlationId }

/** The audit fields of an outcome: correlation id, patient id, Hero's request id and the error's details. */
const outcomeDetails = (outcome: Outcome): Record<string, unknown> => {
  if (Exit.isSuccess(outcome)) {
    return {
      ...correlation(outcome.value.correlationId),
      ...(outcome.value._tag === "Registered"
        ? { patient_id: SlackReply.showPatientId(outcome.value.patientId).text }
        : {})
    }
  }
  return Option.match(failureOf(outcome), {
    onNone: () => ({}),
    onSome: (error) => ({
      ...(isHeroError(error) ? correlation(error.correlationId) : {}),
      ...("status" in error ? { status: error.status } : {}),
      ...("attempts" in error ? { attempts: error.attempts } : {}),
      ...("requestId" in error && error.requestId !== undefined ? { heroRequestId: error.requestId } : {}),
      ...("retryAfter" in error && error.retryAfter !== undefined ? { retryAfterMs: error.retryAfter } : {})
    })
  })
}

interface Who {
  readonly user: string
  readonly team: string
  readonly channel: string
}

/** A follow-up POST that failed; network errors, timeouts, 429 and 5xx are retried. */
class FollowUpFailed {
  readonly _tag = "FollowUpFailed"
  constructor(readonly status: number | undefined, readonly retryable: boolean) {}
}

const followUpSchedule = Schedule.exponential(Duration.millis(250)).pipe(
  Schedule.intersect(Schedule.recurs(maxFollowUpPosts - 1)),
  Schedule.whileInput((error: FollowUpFailed) => error.retryable)
)

const signatureOf = (request: HttpServerRequest.HttpServerRequest, body: Uint8Array): SlackSignature.Presented => ({
  timestamp: request.headers[SlackSignature.headers.timestamp],
  signature: request.headers[SlackSignature.headers.signature],
  body
})

/** A Slack id as it may be logged (the payload is Slack's, but verified; anything odd is left out). */
const loggableId = (value: unknown): string | undefined =>
  typeof value === "string" && /^[A-Za-z0-9._-]{1,64}$/.test(value) ? value : undefined

/**
 * Builds the app. It needs the configuration, the practices (with their Hero clients), the queue, and an
 * `HttpClient` for the follow-up POSTs; each request also needs {@link FollowUps}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<
  HttpApp.Default<never, FollowUps>,
  never,
  SlackConfig.SlackConfig | SlackPractices.SlackPractices | CommandQueue | HttpClient.HttpClient
> = Effect.gen(function*() {
  const config = yield* SlackConfig.SlackConfig
  const practices = yield* SlackPractices.SlackPractices
  const queue = yield* CommandQueue
  const httpClient = (yield* HttpClient.HttpClient).pipe(HttpClient.withTracerPropagation(false))
  const mac = yield* SlackSignature.hmac(config.signingSecret)
  const hashOf = yield* SlackAudit.hasher(config.auditHashKey)
  const readBody = yield* Body.Reader
  const guard = Dedupe.make<Outcome>({ windowMillis: duplicateWindowMillis, maxEntries: duplicateGuardSize })
  const heroBudget = Duration.toMillis(SlackConfig.heroBudget(config.deadline))
  const deadlineMillis = Duration.toMillis(config.deadline)

  /** POSTs the final message, retried within Slack's limit and the command's deadline; failures are logged. */
  const deliver = (responseUrl: URL, message: SlackReply.Message, reference: string, deadlineAt: number) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const remaining = Math.max(1_000, deadlineAt - now)
      return httpClient.execute(HttpClientRequest.bodyUnsafeJson(HttpClientRequest.post(responseUrl), message)).pipe(
        Effect.mapError(() => new FollowUpFailed(undefined, true)),
        Effect.flatMap((response) =>
          Effect.flatMap(Effect.ignore(response.text), () =>
            response.status >= 200 && response.status < 300
              ? Effect.void
              : Effect.fail(new FollowUpFailed(response.status, response.status === 429 || response.status >= 500)))
        ),
        Effect.timeoutFail({
          duration: Math.min(3_000, remaining),
          onTimeout: () => new FollowUpFailed(undefined, true)
        }),
        Effect.retry(followUpSchedule),
        Effect.timeoutFail({ duration: remaining, onTimeout: () => new FollowUpFailed(undefined, false) }),
        Effect.provideService(FetchHttpClient.RequestInit, { redirect: "manual" }),
        Effect.tap(() =>
          Effect.annotateLogs(Effect.logInfo("follow-up delivered"), {
            event: "follow_up",
            reference,
            origin: responseUrl.origin
          })
        ),
        Effect.catchAllCause((cause) =>
          Effect.annotateLogs(Effect.logError("follow-up not delivered"), {
            event: "follow_up_failed",
            reference,
            origin: responseUrl.origin,
            ...Option.match(Cause.failureOption(cause), {
              onNone: () => ({ reason: "Defect" }),
              onSome: (error) => ({
                reason: error.status === undefined ? "Network or timeout" : `HTTP ${error.status}`
              })
            })
          })
        )
      )
    })

  /** The Hero call (or the first call's result, for a duplicate) within the deadline, the audit, the follow-up. */
  const followUp = (
    command: Extract<SlackCommand.Command, { _tag: "Register" }>,
    practice: SlackPractices.Practice,
    ticket: Queue.Ticket,
    context: { readonly who: Who; readonly responseUrl: URL; readonly reference: string; readonly started: number }
  ) => {
    const { reference, responseUrl, started, who } = context
    const masked = NhsNumber.mask(command.nhsNumber)
    const deadlineAt = started + deadlineMillis
    const key = `${practice.practiceGroupId}\u0000${who.user}\u0000${command.nhsNumber}\u0000${command.dob}`
    const lookup = (claim: Dedupe.Claim<Outcome>) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const call: Effect.Effect<RegisterPds.Result, HeroError.HeroError | DeadlineExceeded | Stopped> =
          claim._tag === "First"
            ? Effect.catchTag(
              queue.run(ticket, Effect.suspend(() => practice.hero.registerPds(command))),
              "Closed",
              () => Effect.fail(new Stopped())
            )
            : Effect.ensuring(Effect.flatten(Deferred.await(claim.entry.result)), queue.leave(ticket))
        return Effect.exit(Effect.timeoutFail(call, {
          duration: Math.max(0, started + heroBudget - now),
          onTimeout: () => new DeadlineExceeded()
        }))
      })
    const finish = (outcome: Outcome, claim: Dedupe.Claim<Outcome>) =>
      Effect.gen(function*() {
        const finished = yield* Clock.currentTimeMillis
        yield* SlackAudit.record({
          ...who,
          practiceGroupId: practice.practiceGroupId,
          reference,
          outcome: outcomeTag(outcome),
          durationMs: finished - started,
          nhsNumber: masked,
          nhsNumberHash: yield* hashOf(command.nhsNumber),
          ...(claim._tag === "Duplicate" ? { duplicateOf: claim.entry.reference } : {}),
          ...outcomeDetails(outcome)
        })
        yield* deliver(responseUrl, replyFor(masked, outcome, reference), reference, deadlineAt)
      })
    return Effect.gen(function*() {
      const claim = yield* guard.claim(key, reference)
      const outcome = yield* lookup(claim)
      if (claim._tag === "First") yield* guard.settle(key, claim.entry, outcome, isDefinitive(outcome))
      yield* finish(outcome, claim)
    }).pipe(
      // Shutdown interrupts what is still running: the person is told, within a short bound, to try again.
      Effect.onInterrupt(() =>
        Effect.ignore(
          Effect.timeout(
            Effect.interruptible(deliver(responseUrl, SlackReply.stopped(masked, reference), reference, 0)),
            1_500
          )
        )
      ),
      Effect.catchAllCause((cause) =>
        Effect.annotateLogs(Effect.logError("registration follow-up crashed", cause), {
          event: "follow_up_failed",
          reference
        })
      )
    )
  }

  const reject = (reason: string, code: number, text: string) =>
    Effect.as(
      Effect.annotateLogs(Effect.logWarning("request rejected"), { event: "request_rejected", reason, status: code }),
      status(code, text)
    )

  /** Size, content type, body and signature: the verified form, or the answer to give instead. */
  const verifiedForm = Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const declared = request.headers["content-length"]
    if (declared !== undefined && !/^\d+$/.test(declared)) return yield* reject("BadContentLength", 400, "Bad Request")
    if (declared !== undefined && Number(declared) > maxBodyBytes) {
      return yield* reject("BodyTooLarge", 413, "Payload Too Large")
    }
    if (!isForm(request.headers["content-type"])) {
      return yield* reject("UnsupportedMediaType", 415, "Unsupported Media Type")
    }
    const body = yield* Effect.either(readBody(request, maxBodyBytes))
    if (Either.isLeft(body)) {
      return yield* body.left._tag === "TooLarge"
        ? reject("BodyTooLarge", 413, "Payload Too Large")
        : reject("UnreadableBody", 400, "Bad Request")
    }
    const verified = yield* Effect.either(SlackSignature.verify(mac, signatureOf(request, body.right)))
    if (Either.isLeft(verified)) return yield* reject(verified.left.reason, 401, "Unauthorized")
    return new URLSearchParams(new TextDecoder().decode(body.right))
  })

  const commands = Effect.gen(function*() {
    const started = yield* Clock.currentTimeMillis
    const form = yield* verifiedForm
    if (!(form instanceof URLSearchParams)) return form
    if (form.get("ssl_check") === "1") return HttpServerResponse.empty({ status: 200 })
    const who: Who = {
      team: form.get("team_id") ?? "",
      user: form.get("user_id") ?? "",
      channel: form.get("channel_id") ?? ""
    }
    if (who.team === "" || who.user === "") return yield* reject("MissingFields", 400, "Bad Request")
    const reference = newReference()
    const refused = (outcome: string, details: Record<string, unknown>) =>
      Effect.flatMap(
        Clock.currentTimeMillis,
        (now) => SlackAudit.record({ ...who, reference, outcome, durationMs: now - started, ...details })
      )
    const practice = practices.lookup(who)
    const denial: SlackReply.Denial | undefined = !config.allowedTeamIds.has(who.team)
      ? "team"
      : config.allowedUserIds !== undefined && !config.allowedUserIds.has(who.user)
      ? "user"
      : config.allowedChannelIds !== undefined && !config.allowedChannelIds.has(who.channel)
      ? "channel"
      : practice === undefined
      ? "practice"
      : undefined
    if (denial !== undefined || practice === undefined) {
      yield* refused("Denied", { reason: denial })
      return json(SlackReply.denied(denial ?? "practice"))
    }

    const command = SlackCommand.parse(form.get("text") ?? "")
    if (Either.isLeft(command)) {
      yield* refused("InvalidCommand", { reason: command.left.kind })
      return json(SlackReply.mistake(command.left.message))
    }
    if (command.right._tag === "Help") return json(SlackReply.usage)

    const text = form.get("response_url") ?? ""
    const responseUrl = URL.canParse(text) ? new URL(text) : undefined
    const masked = NhsNumber.mask(command.right.nhsNumber)
    const audited = { practiceGroupId: practice.practiceGroupId, nhsNumber: masked }
    if (responseUrl === undefined || !config.responseUrlOrigins.has(responseUrl.origin)) {
      yield* Effect.annotateLogs(Effect.logWarning("response_url origin not allowed; nothing looked up"), {
        event: "response_url_rejected",
        origin: responseUrl?.origin ?? "unparseable",
        reference
      })
      yield* refused("Undeliverable", { ...audited, reason: "response_url origin not allowed" })
      return json(SlackReply.undeliverable(reference))
    }
    const ticket = queue.admit()
    if (ticket === undefined) {
      yield* refused("Busy", { ...audited, nhsNumberHash: yield* hashOf(command.right.nhsNumber) })
      return json(SlackReply.busy)
    }
    const followUps = yield* FollowUps
    yield* followUps.run(followUp(command.right, practice, ticket, { who, responseUrl, reference, started }))
    return json(SlackReply.tracing(masked))
  })

  /** Button clicks: verified and acknowledged with an empty 200 (the link opens in the browser), never more. */
  const interactions = Effect.gen(function*() {
    const form = yield* verifiedForm
    if (!(form instanceof URLSearchParams)) return form
    let payload: Record<string, any>
    try {
      payload = JSON.parse(form.get("payload") ?? "")
    } catch {
      return yield* reject("MalformedPayload", 400, "Bad Request")
    }
    const actions: ReadonlyArray<unknown> = Array.isArray(payload?.actions) ? payload.actions : []
    yield* Effect.annotateLogs(Effect.logInfo("interaction acknowledged"), {
      event: "interaction",
      type: loggableId(payload?.type) ?? "unknown",
      team: loggableId(payload?.team?.id),
      user: loggableId(payload?.user?.id),
      actions: actions.flatMap((action: any) => loggableId(action?.action_id) ?? [])
    })
    return HttpServerResponse.empty({ status: 200 })
  })

  const healthz = HttpServerResponse.unsafeJson({ status: "ok" })
  const notFound = status(404, "Not Found")

  /** Three routes (anything else, other methods included, is 404): a direct match is cheaper than a router. */
  const route = Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
    const query = request.url.indexOf("?")
    const path = query === -1 ? request.url : request.url.slice(0, query)
    switch (path) {
      case "/slack/commands":
        return request.method === "POST" ? commands : Effect.succeed(notFound)
      case "/slack/interactions":
        return request.method === "POST" ? interactions : Effect.succeed(notFound)
      case "/healthz":
        return Effect.succeed(request.method === "GET" ? healthz : notFound)
      default:
        return Effect.succeed(notFound)
    }
  })

  return route.pipe(
    Effect.catchAllCause((cause) =>
      Effect.as(
        Effect.annotateLogs(Effect.logError("request failed", cause), { event: "request_failed" }),
        status(500, "Internal Server Error")
      )
    ),
    Effect.map((response) =>
      HttpServerResponse.setHeaders(response, { "x-content-type-options": "nosniff", "cache-control": "no-store" })
    )
  )
})
