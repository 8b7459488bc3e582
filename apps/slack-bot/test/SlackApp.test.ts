/**
 * The app in memory, under `TestClock`: verification, limits, authorisation and the duplicate guard. Hero is a
 * counting stand-in and `response_url` an in-memory HttpClient, so every test can check that an unverified or
 * refused request made no Hero call and no follow-up.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { afterAll, describe, expect, it } from "@effect/vitest"
import * as HeroClient from "@hero-pds/core/HeroClient"
import * as HeroError from "@hero-pds/core/HeroError"
import * as RegisterPds from "@hero-pds/core/RegisterPds"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as fc from "effect/FastCheck"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"
import * as SlackApp from "../src/SlackApp.js"
import * as SlackConfig from "../src/SlackConfig.js"
import * as SlackLogger from "../src/SlackLogger.js"
import * as SlackPractices from "../src/SlackPractices.js"
import * as Fuzz from "./utils/fuzz.js"
import * as Patients from "./utils/patients.js"
import { expectClean, expectJsonLines, findLeaks } from "./utils/privacy.js"
import * as Slack from "./utils/slack.js"

const nowMillis = Date.UTC(2026, 3, 26, 10, 0, 0)
const nowSeconds = nowMillis / 1000
const responseUrl = "https://hooks.slack.com/commands/TTEST0001/1/abc"
const jane = { text: "900 000 0009 22/10/2010", responseUrl }

interface Post {
  readonly url: string
  readonly body: Record<string, any>
}

type Hero = (input: RegisterPds.Input) => Effect.Effect<RegisterPds.Result, HeroError.HeroError>

const registered: Hero = () => Effect.succeed(new RegisterPds.Registered({ patientId: "98765" }))

const setup = (options: { readonly env?: Record<string, string>; readonly hero?: Hero } = {}) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(nowMillis)
    const state = {
      heroCalls: 0,
      practiceGroups: [] as Array<string>,
      posts: [] as Array<Post>,
      lines: [] as Array<string>
    }
    const fibers: Array<Fiber.RuntimeFiber<void>> = []
    const clients = Layer.succeed(SlackPractices.ClientFactory, (config) =>
      Layer.succeed(HeroClient.HeroClient, {
        registerPds: (input) =>
          Effect.suspend(() => {
            state.heroCalls++
            state.practiceGroups.push(config.practiceGroupId)
            return (options.hero ?? registered)(input)
          })
      }))
    const http = Layer.succeed(
      HttpClient.HttpClient,
      HttpClient.make((request, url) =>
        Effect.sync(() => {
          const body = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : "null"
          state.posts.push({ url: url.href, body: JSON.parse(body) })
          return HttpClientResponse.fromWeb(request, new Response("ok"))
        })
      )
    )
    const config = SlackConfig.layer({
      SLACK_SIGNING_SECRET: Slack.secret,
      SLACK_ALLOWED_TEAM_IDS: Slack.team,
      AUDIT_HASH_KEY: Slack.auditHashKey,
      HERO_API_KEY: "test-hero-api-key",
      HERO_PRACTICE_GROUP_ID: "test-practice-group",
      ...options.env
    })
    const logger = SlackLogger.layer((line) => state.lines.push(line))
    const app = yield* Effect.orDie(Effect.provide(
      SlackApp.make,
      Layer.mergeAll(SlackPractices.layer, SlackApp.layerCommandQueue, http).pipe(
        Layer.provideMerge(clients),
        Layer.provideMerge(config)
      )
    ))
    const followUps: SlackApp.FollowUpRunner = {
      run: (effect) =>
        Effect.asVoid(Effect.tap(Effect.forkDaemon(effect), (fiber) => Effect.sync(() => fibers.push(fiber))))
    }
    const send = (
      init: { readonly headers: Record<string, string>; readonly body: string | Uint8Array<ArrayBuffer> },
      path = "/slack/commands"
    ) =>
      app.pipe(
        Effect.provideService(
          HttpServerRequest.HttpServerRequest,
          HttpServerRequest.fromWeb(
            new Request(`http://app.test${path}`, { method: "POST", headers: init.headers, body: init.body })
          )
        ),
        Effect.provideService(SlackApp.FollowUps, followUps),
        Effect.provide(logger),
        Effect.map((response) => HttpServerResponse.toWeb(response)),
        Effect.flatMap((response) =>
          Effect.promise(async () => ({ status: response.status, text: await response.text() }))
        )
      )
    const settle = Effect.suspend(() => Fiber.joinAll(fibers.splice(0)))
    const command = (fields: Partial<Slack.CommandFields> = {}, at = nowSeconds) =>
      send(Slack.signedCommand({ ...jane, ...fields }, { nowSeconds: at }))
    const expectPrivate = () =>
      expectClean(expectJsonLines(state.lines).map((line) => JSON.stringify(line)), {
        nhsNumbers: ["9000000009", "9000000017"],
        dobs: ["2010-10-22", "1985-03-14"],
        secrets: [Slack.secret, Slack.example.secret, Slack.auditHashKey, "test-hero-api-key"]
      })
    return { state, send, settle, command, expectPrivate }
  })

describe("SlackApp: request verification", () => {
  it.effect("accepts Slack's published example (its text is empty, so it answers with the usage)", () =>
    Effect.gen(function*() {
      const app = yield* setup({
        env: { SLACK_SIGNING_SECRET: Slack.example.secret, SLACK_ALLOWED_TEAM_IDS: "T1DC2JH3J" }
      })
      yield* TestClock.setTime((Number(Slack.example.timestamp) + 60) * 1000)
      const response = yield* app.send({
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "x-slack-request-timestamp": Slack.example.timestamp,
          "x-slack-signature": Slack.example.signature
        },
        body: Slack.example.body
      })
      expect(response.status).toBe(200)
      expect(JSON.parse(response.text)).toMatchObject({
        response_type: "ephemeral",
        text: "How to use /register-patient"
      })
      expect(app.state.heroCalls).toBe(0)
    }))

  it.effect("a correctly signed command is acknowledged and registered (the control case)", () =>
    Effect.gen(function*() {
      const app = yield* setup()
      const response = yield* app.command()
      expect(response.status).toBe(200)
      expect(JSON.parse(response.text)).toMatchObject({
        response_type: "ephemeral",
        text: "Tracing *** *** 0009 on PDS…"
      })
      yield* app.settle
      expect(app.state.heroCalls).toBe(1)
      expect(app.state.posts).toHaveLength(1)
      expect(app.state.posts[0]!.url).toBe(responseUrl)
      expect(app.state.posts[0]!.body).toMatchObject({ response_type: "ephemeral", replace_original: true })
      app.expectPrivate()
    }))

  it.effect("tampered body, stale or future timestamp, missing headers, other version or secret: 401, nothing else", () =>
    Effect.gen(function*() {
      const app = yield* setup()
      const good = Slack.signedCommand(jane, { nowSeconds })
      const without = (name: string) => Object.fromEntries(Object.entries(good.headers).filter(([key]) => key !== name))
      const attempts: Record<string, { headers: Record<string, string>; body: string }> = {
        tampered: { headers: good.headers, body: good.body.replace("0009", "0017") },
        stale: Slack.signedCommand(jane, { nowSeconds: nowSeconds - 301 }),
        future: Slack.signedCommand(jane, { nowSeconds: nowSeconds + 301 }),
        noTimestamp: { headers: without("x-slack-request-timestamp"), body: good.body },
        noSignature: { headers: without("x-slack-signature"), body: good.body },
        wrongVersion: {
          headers: { ...good.headers, "x-slack-signature": good.headers["x-slack-signature"]!.replace("v0=", "v1=") },
          body: good.body
        },
        wrongSecret: Slack.signedCommand(jane, { nowSeconds, secret: "not-the-signing-secret" }),
        sslCheckUnsigned: { headers: without("x-slack-signature"), body: "ssl_check=1&token=x" }
      }
      for (const [name, attempt] of Object.entries(attempts)) {
        const response = yield* app.send(attempt)
        expect(response.status, name).toBe(401)
        expect(response.text, name).toBe("Unauthorized")
      }
      yield* app.settle
      expect(app.state.heroCalls).toBe(0)
      expect(app.state.posts).toHaveLength(0)
      const rejected = expectJsonLines(app.state.lines).filter((line) => line.event === "request_rejected")
      expect(rejected.map((line) => line.reason)).toEqual([
        "Mismatch",
        "StaleTimestamp",
        "FutureTimestamp",
        "MissingTimestamp",
        "MissingSignature",
        "UnsupportedVersion",
        "Mismatch",
        "MissingSignature"
      ])
      app.expectPrivate()
    }))

  it.effect("answers a verified ssl_check with an empty 200", () =>
    Effect.gen(function*() {
      const app = yield* setup()
      const body = "ssl_check=1&token=deprecated"
      const ts = String(nowSeconds)
      const response = yield* app.send({
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "x-slack-request-timestamp": ts,
          "x-slack-signature": Slack.sign(Slack.secret, ts, body)
        },
        body
      })
      expect(response).toEqual({ status: 200, text: "" })
      expect(app.state.heroCalls).toBe(0)
    }))

  it.effect("refuses bodies over 64 KiB (declared or actual) with 413 and other content types with 415", () =>
    Effect.gen(function*() {
      const app = yield* setup()
      const big = Slack.signedCommand({ ...jane, text: `${jane.text} ${"x".repeat(70_000)}` }, { nowSeconds })
      expect((yield* app.send(big)).status).toBe(413)
      const declared = { ...big.headers, "content-length": String(70_000) }
      expect((yield* app.send({ headers: declared, body: "x" })).status).toBe(413)
      const json = Slack.signedCommand(jane, { nowSeconds })
      expect(
        (yield* app.send({ headers: { ...json.headers, "content-type": "application/json" }, body: json.body })).status
      )
        .toBe(415)
      expect((yield* app.send({ headers: { ...json.headers, "content-type": "text/plain" }, body: json.body })).status)
        .toBe(415)
      yield* app.settle
      expect(app.state.heroCalls).toBe(0)
    }))

  it.effect("answers 404 for unknown routes", () =>
    Effect.gen(function*() {
      const app = yield* setup()
      expect((yield* app.send({ headers: {}, body: "" }, "/nope")).status).toBe(404)
    }))
})

describe("SlackApp: authorisation and input", () => {
  it.effect("refuses other workspaces, users and channels with an ephemeral explanation and no Hero call", () =>
    Effect.gen(function*() {
      const app = yield* setup({
        env: { SLACK_ALLOWED_USER_IDS: "UTEST0001,UTEST0002", SLACK_ALLOWED_CHANNEL_IDS: "CTEST0001" }
      })
      const team = JSON.parse((yield* app.command({ team: "TOTHER001" })).text)
      expect(team).toMatchObject({ response_type: "ephemeral", text: "Not allowed here" })
      expect(JSON.stringify(team)).toContain("workspace")
      expect(JSON.stringify(JSON.parse((yield* app.command({ user: "UOTHER001" })).text))).toContain("not on the list")
      expect(JSON.stringify(JSON.parse((yield* app.command({ channel: "COTHER001" })).text))).toContain("channel")
      expect((yield* app.command({ user: "UTEST0002" })).text).toContain("Tracing")
      yield* app.settle
      expect(app.state.heroCalls).toBe(1)
      const denials = expectJsonLines(app.state.lines).filter((line) => line.outcome === "Denied")
      expect(denials.map((line) => line.reason)).toEqual(["team", "user", "channel"])
      app.expectPrivate()
    }))

  it.effect("answers bad input in the acknowledgement, with no Hero call and no follow-up", () =>
    Effect.gen(function*() {
      const app = yield* setup()
      for (const text of ["900 000 0008 22/10/2010", "900 000 0009 10/22/2010", "900 000 0009", "help"]) {
        const reply = JSON.parse((yield* app.command({ text })).text)
        expect(reply.response_type).toBe("ephemeral")
        expect(reply.text).not.toContain("Tracing")
      }
      yield* app.settle
      expect(app.state.heroCalls).toBe(0)
      expect(app.state.posts).toHaveLength(0)
      app.expectPrivate()
    }))

  it.effect("does not look anything up when response_url is outside the allowed origins", () =>
    Effect.gen(function*() {
      const app = yield* setup()
      const reply = JSON.parse((yield* app.command({ responseUrl: "https://attacker.example/collect" })).text)
      expect(reply.text).toBe("The result could not be delivered")
      yield* app.settle
      expect(app.state.heroCalls).toBe(0)
      expect(app.state.posts).toHaveLength(0)
    }))
})

describe("SlackApp: deadline and queue (TestClock)", () => {
  const slow = (seconds: number): Hero => (input) =>
    Effect.zipRight(Effect.sleep(Duration.seconds(seconds)), registered(input))

  it.effect("a Hero that never answers in time still gets a final follow-up within the deadline: retrying is safe", () =>
    Effect.gen(function*() {
      const app = yield* setup({ env: { HERO_DEADLINE_MS: "20000" }, hero: slow(3_600) })
      expect((yield* app.command()).text).toContain("Tracing")
      // Hero gets the deadline less the delivery reserve (3 s), then the follow-up goes out.
      yield* TestClock.adjust(Duration.millis(16_999))
      expect(app.state.posts).toHaveLength(0)
      yield* TestClock.adjust(Duration.millis(1))
      yield* app.settle
      expect(app.state.posts).toHaveLength(1)
      const reply = app.state.posts[0]!.body
      expect(reply.text).toBe("Hero did not answer in time (*** *** 0009)")
      expect(JSON.stringify(reply)).toContain("Trying again is safe")
      const audit = expectJsonLines(app.state.lines).find((line) => line.event === "registration")
      expect(audit).toMatchObject({ outcome: "DeadlineExceeded", durationMs: 17_000 })
    }))

  it.effect("the deadline counts from the command: time spent queued is part of it", () =>
    Effect.gen(function*() {
      const app = yield* setup({
        env: { HERO_DEADLINE_MS: "8000", HERO_MAX_CONCURRENCY: "1", SLACK_MAX_QUEUED_COMMANDS: "5" },
        hero: slow(5)
      })
      yield* app.command({ user: "UTEST0001" })
      yield* app.command({ user: "UTEST0002" })
      // Budget 8 s - 2 s reserve = 6 s: the first answers at 5 s; the second starts then and cannot finish by 6 s.
      yield* TestClock.adjust(Duration.seconds(6))
      yield* app.settle
      expect(app.state.posts.map((post) => post.body.text)).toEqual([
        "Registered *** *** 0009 with Hero",
        "Hero did not answer in time (*** *** 0009)"
      ])
    }))

  it.effect("admits HERO_MAX_CONCURRENCY calls plus SLACK_MAX_QUEUED_COMMANDS waiting; past that, busy at once", () =>
    Effect.gen(function*() {
      let inFlight = 0
      let maxInFlight = 0
      const app = yield* setup({
        env: { HERO_MAX_CONCURRENCY: "2", SLACK_MAX_QUEUED_COMMANDS: "1" },
        hero: (input) =>
          Effect.acquireUseRelease(
            Effect.sync(() => (maxInFlight = Math.max(maxInFlight, ++inFlight))),
            () => slow(2)(input),
            () => Effect.sync(() => inFlight--)
          )
      })
      const users = ["UQUEUE001", "UQUEUE002", "UQUEUE003", "UQUEUE004", "UQUEUE005"]
      const acks = []
      for (const user of users) acks.push(JSON.parse((yield* app.command({ user })).text).text)
      expect(acks).toEqual([
        "Tracing *** *** 0009 on PDS…",
        "Tracing *** *** 0009 on PDS…",
        "Tracing *** *** 0009 on PDS…",
        "Busy: try again in a minute",
        "Busy: try again in a minute"
      ])
      yield* TestClock.adjust(Duration.seconds(2))
      // Two done: room again.
      expect(JSON.parse((yield* app.command({ user: "UQUEUE006" })).text).text).toBe("Tracing *** *** 0009 on PDS…")
      yield* TestClock.adjust(Duration.seconds(4))
      yield* app.settle
      expect(app.state.heroCalls).toBe(4)
      expect(maxInFlight).toBe(2)
      expect(app.state.posts).toHaveLength(4)
      const busy = expectJsonLines(app.state.lines).filter((line) => line.outcome === "Busy")
      expect(busy).toHaveLength(2)
      expect(busy[0]!.nhsNumberHash).toMatch(/^[0-9a-f]{64}$/)
    }))
})

describe("SlackApp: practices (SLACK_PRACTICES)", () => {
  it.effect("a channel's practice wins over its team's; an unmapped place is refused with no Hero call", () =>
    Effect.gen(function*() {
      const app = yield* setup({
        env: {
          SLACK_ALLOWED_TEAM_IDS: `${Slack.team},TOTHER001`,
          SLACK_PRACTICES: JSON.stringify({
            CPRACTICEA: { practiceGroupId: "group-a", apiKey: "key-a-0123" },
            [Slack.team]: { practiceGroupId: "group-team", apiKey: "key-t-0123" }
          })
        }
      })
      yield* app.command({ channel: "CPRACTICEA" })
      yield* app.command({ channel: "CELSEWHERE", user: "UTEST0002" })
      const refused = JSON.parse((yield* app.command({ team: "TOTHER001", channel: "CELSEWHERE" })).text)
      expect(refused.text).toBe("Not allowed here")
      expect(JSON.stringify(refused)).toContain("not linked to a practice")
      yield* app.settle
      expect(app.state.practiceGroups).toEqual(["group-a", "group-team"])
      const audits = expectJsonLines(app.state.lines).filter((line) => line.event === "registration")
      expect(audits.map((line) => [line.outcome, line.practiceGroupId ?? null, line.reason ?? null])).toEqual([
        ["Registered", "group-a", null],
        ["Registered", "group-team", null],
        ["Denied", null, "practice"]
      ])
      app.expectPrivate()
    }))
})

describe("SlackApp: the 60-second duplicate guard", () => {
  it.effect("reuses the first result for the same command (any spelling) within 60 s, then calls again", () =>
    Effect.gen(function*() {
      const app = yield* setup()
      yield* app.command()
      yield* app.settle
      yield* TestClock.adjust(Duration.seconds(59))
      yield* app.command({ text: "9000000009 2010-10-22" }, nowSeconds + 59)
      yield* app.settle
      expect(app.state.heroCalls).toBe(1)
      expect(app.state.posts.map((post) => post.body.text)).toEqual([
        "Registered *** *** 0009 with Hero",
        "Registered *** *** 0009 with Hero"
      ])
      const audits = expectJsonLines(app.state.lines).filter((line) => line.event === "registration")
      expect(audits[1]!.duplicateOf).toBe(audits[0]!.reference)
      // Another user's identical command is theirs to make.
      yield* app.command({ user: "UTEST0002" }, nowSeconds + 59)
      yield* app.settle
      expect(app.state.heroCalls).toBe(2)
      yield* TestClock.adjust(Duration.seconds(61))
      yield* app.command({}, nowSeconds + 120)
      yield* app.settle
      expect(app.state.heroCalls).toBe(3)
    }))

  it.effect("reuses a call still in flight instead of calling Hero again", () =>
    Effect.gen(function*() {
      const app = yield* setup({
        hero: (input) => Effect.zipRight(Effect.sleep(Duration.seconds(20)), registered(input))
      })
      yield* app.command()
      yield* TestClock.adjust(Duration.seconds(10))
      const second = yield* app.command({}, nowSeconds + 10)
      expect(second.text).toContain("Tracing")
      yield* TestClock.adjust(Duration.seconds(10))
      yield* app.settle
      expect(app.state.heroCalls).toBe(1)
      expect(app.state.posts).toHaveLength(2)
    }))

  it.effect("forgets transient failures at once, so a retry really retries", () =>
    Effect.gen(function*() {
      const app = yield* setup({
        hero: () => Effect.fail(new HeroError.ServerError({ status: 503, attempts: 4 }))
      })
      yield* app.command()
      yield* app.settle
      yield* app.command()
      yield* app.settle
      expect(app.state.heroCalls).toBe(2)
      expect(app.state.posts[0]!.body.text).toBe("Hero or PDS is not responding (*** *** 0009)")
    }))
})

describe("SlackApp: arbitrary request bodies (fuzz)", () => {
  const runtime = Fuzz.testRuntime()
  afterAll(() => runtime.dispose())
  // One app for every run: the TestClock is set once, since setting it yields to the event loop.
  let app: ReturnType<typeof runtime.runPromise<Effect.Effect.Success<ReturnType<typeof setup>>, never>> | undefined
  const theApp =
    () => (app ??= runtime.runPromise(setup({ env: { SLACK_ALLOWED_USER_IDS: `${Slack.user},UTEST0002` } })))

  const printable = (maxLength: number) =>
    fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength })
  const percentJunk = fc
    .array(
      fc.oneof(
        fc.constantFrom("%", "%2", "%ZZ", "%FF", "%C3", "%C3%28", "%ED%A0%80", "%00", "+", "&", "=", "&&", "=="),
        fc.constantFrom("team_id=", "user_id=", "channel_id=", "text=", "response_url=", "ssl_check=1"),
        fc.constantFrom(Slack.team, Slack.user, Slack.channel, encodeURIComponent(responseUrl)),
        Fuzz.anyString(12)
      ),
      { maxLength: 24 }
    )
    .map((parts) => new TextEncoder().encode(parts.join("")))
  const fieldName = fc.oneof(
    fc.constantFrom("team_id", "user_id", "channel_id", "text", "response_url", "ssl_check", "command", "token"),
    Fuzz.anyString(12)
  )
  const fieldValue = fc.oneof(
    Fuzz.anyString(60),
    fc.constantFrom(Slack.team, "TOTHER001", Slack.user, "UTEST0002", Slack.channel, responseUrl, "1", "")
  )
  const fields = fc
    .array(fc.tuple(fieldName, fieldValue), { maxLength: 14 })
    .map((pairs) => new TextEncoder().encode(new URLSearchParams(pairs).toString()))
  /** A command typed by someone (allowed or not), with a patient's number and date and maybe junk around them. */
  const command = fc
    .record({
      digits: Patients.nhsNumber,
      nhs: Patients.nhsSpelling,
      dob: Patients.dob,
      date: Patients.dateSpelling,
      junk: Fuzz.anyString(20),
      team: fc.constantFrom(Slack.team, "TOTHER001", ""),
      user: fc.constantFrom(Slack.user, "UTEST0002", "UOTHER001"),
      url: fc.constantFrom(responseUrl, "https://attacker.example/x", "not a url", "")
    })
    .map((r) => ({
      patient: { digits: r.digits, dob: r.dob },
      body: new TextEncoder().encode(Slack.commandBody({
        text: `${Patients.spellNhsNumber(r.digits, r.nhs)} ${Patients.spellDate(r.dob, r.date)} ${r.junk}`,
        responseUrl: r.url,
        team: r.team,
        user: r.user
      }))
    }))
  const body = fc.oneof(
    { arbitrary: fc.uint8Array({ maxLength: 2048 }).map((bytes) => ({ body: bytes, patient: undefined })), weight: 3 },
    { arbitrary: percentJunk.map((bytes) => ({ body: bytes, patient: undefined })), weight: 2 },
    { arbitrary: fields.map((bytes) => ({ body: bytes, patient: undefined })), weight: 2 },
    { arbitrary: command, weight: 3 },
    {
      arbitrary: fc.integer({ min: 64 * 1024 - 16, max: 64 * 1024 + 16 }).map((size) => ({
        body: new Uint8Array(size).fill(0x61),
        patient: undefined
      })),
      weight: 1
    }
  )
  const form = "application/x-www-form-urlencoded"
  const contentType = fc.oneof(
    { arbitrary: fc.constantFrom(form, `${form}; charset=utf-8`, ` ${form.toUpperCase()} `), weight: 6 },
    { arbitrary: fc.constantFrom("application/json", "text/plain", "multipart/form-data; boundary=x"), weight: 1 },
    { arbitrary: fc.option(printable(40), { nil: undefined }), weight: 1 }
  )
  const contentLength = fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 6 },
    { arbitrary: fc.constantFrom("actual", "0", "70000", "-1", "1e3", " 12", "0x10"), weight: 2 },
    { arbitrary: printable(12), weight: 1 }
  )

  Fuzz.asyncProp(
    "never answers 5xx to any body, header or signature, and calls Hero only for commands it acknowledged",
    [body, contentType, contentLength, fc.constantFrom("signed", "unsigned", "otherSecret")],
    async (generated, type, length, signing) => {
      const { send, settle, state } = await theApp()
      const timestamp = String(nowSeconds)
      const headers: Record<string, string> = {
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": signing === "unsigned"
          ? "v0=0000000000000000000000000000000000000000000000000000000000000000"
          : Slack.sign(signing === "signed" ? Slack.secret : "not-the-secret", timestamp, generated.body),
        ...(type === undefined ? {} : { "content-type": type }),
        ...(length === undefined
          ? {}
          : { "content-length": length === "actual" ? String(generated.body.length) : length })
      }
      const heroCalls = state.heroCalls
      const lines = state.lines.length
      const posts = state.posts.length
      const response = await runtime.runPromise(
        Effect.zipLeft(send({ headers, body: Uint8Array.from(generated.body) }), settle)
      )
      expect([200, 400, 401, 413, 415]).toContain(response.status)
      if (signing !== "signed") expect(response.status).not.toBe(200)
      const acknowledged = response.status === 200 && response.text.includes("Tracing")
      expect(state.heroCalls - heroCalls).toBe(acknowledged ? 1 : 0)
      expect(state.posts.length - posts).toBe(acknowledged ? 1 : 0)
      const logged = state.lines.slice(lines)
      expect(logged.filter((line) => line.includes("request_failed"))).toEqual([])
      if (generated.patient !== undefined) {
        const seen = [...logged, response.text, ...state.posts.slice(posts).map((post) => JSON.stringify(post.body))]
        const leaks = findLeaks(seen, {
          nhsNumbers: [generated.patient.digits],
          dobs: [generated.patient.dob],
          secrets: [Slack.secret]
        })
        expect(leaks.map((leak) => seen[leak.index])).toEqual([])
      }
    },
    1,
    20
  )
})
