/**
 * The Slack app as one `@effect/platform` HttpApp: `POST /slack/commands` (the slash command) and
 * `GET /healthz`. Runtime-agnostic: the Node entry serves it, the Workers entry wraps it as a fetch handler.
 *
 * A command is verified (signature, timestamp, size, content type), authorised (workspace, user, channel),
 * parsed, and acknowledged at once; the Hero call and the follow-up POST to `response_url` run afterwards
 * through {@link FollowUps}, so the acknowledgement never waits for Hero.
 *
 * @since 0.1.0
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as HeroClient from "@hero-pds/core/HeroClient"
import type * as HeroError from "@hero-pds/core/HeroError"
import * as NhsNumber from "@hero-pds/core/NhsNumber"
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
import * as Stream from "effect/Stream"
import * as Dedupe from "./internal/dedupe.js"
import * as SlackCommand from "./SlackCommand.js"
import * as SlackConfig from "./SlackConfig.js"
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
 * Follow-ups as fibers of a set that lives as long as the layer. On release, in-flight follow-ups get up to
 * `drainMillis` (default 10 s) to finish before they are interrupted.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFollowUps = (drainMillis = 10_000): Layer.Layer<FollowUps> =>
  Layer.scoped(
    FollowUps,
    Effect.gen(function*() {
      const set = yield* FiberSet.make()
      yield* Effect.addFinalizer(() =>
        Effect.ignore(Effect.timeout(FiberSet.awaitEmpty(set), Duration.millis(drainMillis)))
      )
      return { run: (effect) => Effect.asVoid(FiberSet.run(set, effect)) }
    })
  )

/** What a registration ended with: a result, a typed Hero error, or an unexpected failure. */
type Outcome = Exit.Exit<RegisterPds.Result, HeroError.HeroError>

const json = (message: SlackReply.Message) => HttpServerResponse.unsafeJson(message)
const status = (code: number, text: string) => HttpServerResponse.text(text, { status: code })

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

/** A short random reference that staff can read out: 10 characters, 50 bits. */
const correlationId = Effect.sync(() => {
  const bytes = crypto.getRandomValues(new Uint8Array(10))
  return Array.from(bytes, (byte) => crockford[byte & 31]).join("")
})

const isForm = (contentType: string | undefined) =>
  contentType !== undefined &&
  contentType.split(";")[0]!.trim().toLowerCase() === "application/x-www-form-urlencoded"

class TooLarge {
  readonly _tag = "TooLarge"
}
class Unreadable {
  readonly _tag = "Unreadable"
}

/**
 * Past the limit, a body is still read (and thrown away) up to this many bytes so that the client gets its 413;
 * beyond it reading stops, which on Node drops the connection.
 */
const drainBytes = 4 * maxBodyBytes

/** Reads the raw body, keeping at most the limit, whatever Content-Length said. */
const readBody = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.gen(function*() {
    if (request.headers["content-length"] === "0") return new Uint8Array(0)
    const chunks: Array<Uint8Array> = []
    let total = 0
    yield* request.stream.pipe(
      Stream.runForEachWhile((chunk) =>
        Effect.sync(() => {
          total += chunk.length
          if (total <= maxBodyBytes) chunks.push(chunk)
          return total <= drainBytes
        })
      ),
      Effect.mapError(() => new Unreadable())
    )
    if (total > maxBodyBytes) return yield* Effect.fail(new TooLarge())
    const body = new Uint8Array(total)
    let offset = 0
    for (const chunk of chunks) {
      body.set(chunk, offset)
      offset += chunk.length
    }
    return body
  })

const outcomeTag = (outcome: Outcome): string =>
  Exit.match(outcome, {
    onSuccess: (result) => result._tag,
    onFailure: (cause) => Option.match(Cause.failureOption(cause), { onNone: () => "Defect", onSome: (e) => e._tag })
  })

/** Results worth reusing within the window; transient failures are forgotten so a retry really retries. */
const isDefinitive = (outcome: Outcome): boolean => {
  const tag = outcomeTag(outcome)
  return tag === "Registered" || tag === "VerificationRequired" || tag === "PatientNotFound" || tag === "BadRequest"
}

const replyFor = (masked: string, outcome: Outcome, reference: string): SlackReply.Message =>
  Exit.match(outcome, {
    onSuccess: (result) =>
      result._tag === "Registered"
        ? SlackReply.registered(masked, result, reference)
        : SlackReply.verificationRequired(masked, result, reference),
    onFailure: (cause) => SlackReply.failed(masked, Option.getOrUndefined(Cause.failureOption(cause)), reference)
  })

const errorDetails = (outcome: Outcome): Record<string, unknown> =>
  Exit.match(outcome, {
    onSuccess: () => ({}),
    onFailure: (cause) =>
      Option.match(Cause.failureOption(cause), {
        onNone: () => ({}),
        onSome: (error) => ({
          ...("status" in error ? { status: error.status } : {}),
          ...("attempts" in error ? { attempts: error.attempts } : {}),
          ...("requestId" in error && error.requestId !== undefined ? { heroRequestId: error.requestId } : {}),
          ...("retryAfter" in error && error.retryAfter !== undefined ? { retryAfterMs: error.retryAfter } : {})
        })
      })
  })

interface Who {
  readonly user: string
  readonly team: string
  readonly channel: string
}

const audit = (fields: Record<string, unknown>) =>
  Effect.annotateLogs(Effect.logInfo("registration"), { event: "registration", ...fields })

/** A follow-up POST is retried twice on network errors, 429 and 5xx; anything else is final. */
class FollowUpFailed {
  readonly _tag = "FollowUpFailed"
  constructor(readonly status: number | undefined, readonly retryable: boolean) {}
}

const followUpSchedule = Schedule.exponential(Duration.millis(250)).pipe(
  Schedule.intersect(Schedule.recurs(2)),
  Schedule.whileInput((error: FollowUpFailed) => error.retryable)
)

/**
 * Builds the app. It needs the Slack configuration, a `HeroClient`, and an `HttpClient` for the follow-up
 * POSTs; each request also needs {@link FollowUps}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<
  HttpApp.Default<never, FollowUps>,
  never,
  SlackConfig.SlackConfig | HeroClient.HeroClient | HttpClient.HttpClient
> = Effect.gen(function*() {
  const config = yield* SlackConfig.SlackConfig
  const hero = yield* HeroClient.HeroClient
  const httpClient = (yield* HttpClient.HttpClient).pipe(HttpClient.withTracerPropagation(false))
  const key = yield* SlackSignature.importKey(config.signingSecret)
  const guard = Dedupe.make<Outcome>({ windowMillis: duplicateWindowMillis, maxEntries: duplicateGuardSize })

  const postFollowUp = (responseUrl: URL, message: SlackReply.Message, reference: string) =>
    httpClient.execute(HttpClientRequest.bodyUnsafeJson(HttpClientRequest.post(responseUrl), message)).pipe(
      Effect.mapError(() => new FollowUpFailed(undefined, true)),
      Effect.flatMap((response) =>
        Effect.flatMap(Effect.ignore(response.text), () =>
          response.status >= 200 && response.status < 300
            ? Effect.void
            : Effect.fail(new FollowUpFailed(response.status, response.status === 429 || response.status >= 500)))
      ),
      Effect.timeoutFail({ duration: Duration.seconds(5), onTimeout: () => new FollowUpFailed(undefined, true) }),
      Effect.retry(followUpSchedule),
      Effect.provideService(FetchHttpClient.RequestInit, { redirect: "manual" }),
      Effect.tap(() =>
        Effect.annotateLogs(Effect.logInfo("follow-up delivered"), {
          event: "follow_up",
          correlationId: reference,
          origin: responseUrl.origin
        })
      ),
      Effect.catchAllCause((cause) =>
        Effect.annotateLogs(Effect.logError("follow-up not delivered"), {
          event: "follow_up_failed",
          correlationId: reference,
          origin: responseUrl.origin,
          ...Option.match(Cause.failureOption(cause), {
            onNone: () => ({ reason: "Defect" }),
            onSome: (error) => ({ reason: error.status === undefined ? "Network" : `HTTP ${error.status}` })
          })
        })
      )
    )

  /** The Hero call (or the first call's result, for a duplicate), the follow-up, and the audit line. */
  const register = (
    command: Extract<SlackCommand.Command, { _tag: "Register" }>,
    who: Who,
    responseUrl: URL,
    reference: string,
    started: number
  ) =>
    Effect.gen(function*() {
      const masked = NhsNumber.mask(command.nhsNumber)
      const dedupeKey = `${who.team}\u0000${who.user}\u0000${command.nhsNumber}\u0000${command.dob}`
      const claim = yield* guard.claim(dedupeKey, reference)
      const work = Effect.gen(function*() {
        let outcome: Outcome
        if (claim._tag === "First") {
          outcome = yield* Effect.exit(
            Effect.suspend(() => hero.registerPds({ nhsNumber: command.nhsNumber, dob: command.dob }))
          )
          yield* guard.settle(dedupeKey, claim.entry, outcome, isDefinitive(outcome))
        } else {
          outcome = yield* Deferred.await(claim.entry.result)
        }
        const finished = yield* Clock.currentTimeMillis
        yield* audit({
          user: who.user,
          team: who.team,
          channel: who.channel,
          nhsNumber: masked,
          outcome: outcomeTag(outcome),
          durationMs: finished - started,
          correlationId: reference,
          ...(claim._tag === "Duplicate" ? { duplicateOf: claim.entry.correlationId } : {}),
          ...errorDetails(outcome)
        })
        yield* postFollowUp(responseUrl, replyFor(masked, outcome, reference), reference)
      }).pipe(
        Effect.catchAllCause((cause) =>
          Effect.annotateLogs(Effect.logError("registration follow-up crashed", cause), {
            event: "follow_up_failed",
            correlationId: reference
          })
        )
      )
      const followUps = yield* FollowUps
      yield* followUps.run(work)
      return json(SlackReply.tracing(masked))
    })

  const commands = Effect.gen(function*() {
    const started = yield* Clock.currentTimeMillis
    const request = yield* HttpServerRequest.HttpServerRequest
    const reject = (reason: string, code: number, text: string) =>
      Effect.as(
        Effect.annotateLogs(Effect.logWarning("request rejected"), { event: "request_rejected", reason, status: code }),
        status(code, text)
      )

    const declared = request.headers["content-length"]
    if (declared !== undefined && !/^\d+$/.test(declared)) return yield* reject("BadContentLength", 400, "Bad Request")
    if (declared !== undefined && Number(declared) > maxBodyBytes) {
      return yield* reject("BodyTooLarge", 413, "Payload Too Large")
    }
    if (!isForm(request.headers["content-type"])) {
      return yield* reject("UnsupportedMediaType", 415, "Unsupported Media Type")
    }
    const body = yield* Effect.either(readBody(request))
    if (Either.isLeft(body)) {
      return yield* body.left._tag === "TooLarge"
        ? reject("BodyTooLarge", 413, "Payload Too Large")
        : reject("UnreadableBody", 400, "Bad Request")
    }
    const verified = yield* Effect.either(SlackSignature.verify(key, {
      timestamp: request.headers[SlackSignature.headers.timestamp],
      signature: request.headers[SlackSignature.headers.signature],
      body: body.right
    }))
    if (Either.isLeft(verified)) return yield* reject(verified.left.reason, 401, "Unauthorized")

    const form = new URLSearchParams(new TextDecoder().decode(body.right))
    if (form.get("ssl_check") === "1") return HttpServerResponse.empty({ status: 200 })
    const who: Who = {
      team: form.get("team_id") ?? "",
      user: form.get("user_id") ?? "",
      channel: form.get("channel_id") ?? ""
    }
    if (who.team === "" || who.user === "") return yield* reject("MissingFields", 400, "Bad Request")
    const reference = yield* correlationId
    const denial: SlackReply.Denial | undefined = !config.allowedTeamIds.has(who.team)
      ? "team"
      : config.allowedUserIds !== undefined && !config.allowedUserIds.has(who.user)
      ? "user"
      : config.allowedChannelIds !== undefined && !config.allowedChannelIds.has(who.channel)
      ? "channel"
      : undefined
    const auditRefused = (outcome: string, reason: string) =>
      Effect.flatMap(
        Clock.currentTimeMillis,
        (now) => audit({ ...who, outcome, reason, durationMs: now - started, correlationId: reference })
      )
    if (denial !== undefined) {
      yield* auditRefused("Denied", denial)
      return json(SlackReply.denied(denial))
    }

    const command = SlackCommand.parse(form.get("text") ?? "", SlackCommand.todayAt(started))
    if (Either.isLeft(command)) {
      yield* auditRefused("InvalidCommand", command.left.kind)
      return json(SlackReply.mistake(command.left.message))
    }
    if (command.right._tag === "Help") return json(SlackReply.usage)

    const responseUrl = URL.canParse(form.get("response_url") ?? "") ? new URL(form.get("response_url")!) : undefined
    if (responseUrl === undefined || !config.responseUrlOrigins.has(responseUrl.origin)) {
      yield* Effect.annotateLogs(Effect.logWarning("response_url origin not allowed; nothing looked up"), {
        event: "response_url_rejected",
        origin: responseUrl?.origin ?? "unparseable",
        correlationId: reference
      })
      yield* auditRefused("Undeliverable", "response_url origin not allowed")
      return json(SlackReply.undeliverable(reference))
    }
    return yield* register(command.right, who, responseUrl, reference, started)
  })

  const healthz = HttpServerResponse.unsafeJson({ status: "ok" }, {
    headers: { "cache-control": "no-store" }
  })

  const router = HttpRouter.empty.pipe(
    HttpRouter.post("/slack/commands", commands),
    HttpRouter.get("/healthz", Effect.succeed(healthz))
  )

  return router.pipe(
    Effect.catchTag("RouteNotFound", () => Effect.succeed(status(404, "Not Found"))),
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
