import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as TestClock from "effect/TestClock"
import * as Sandbox from "../src/Sandbox.js"
import * as SandboxHttpClient from "../src/SandboxHttpClient.js"
import * as SandboxPatients from "../src/SandboxPatients.js"
import { auth, heroError, janeSmith, register, send, url } from "./utils.js"

const withSandbox = (options?: Sandbox.Options) => Effect.provide(SandboxHttpClient.layer(options))

const statuses = (count: number) =>
  Effect.forEach(Array.from({ length: count }), () => Effect.map(register(janeSmith), (reply) => reply.status))

const issue = (code: string, expected: string, path: ReadonlyArray<string>) => ({ code, expected, path })

describe("Sandbox", () => {
  layer(SandboxHttpClient.layer({ rateLimit: false }))("register_pds", (it) => {
    it.effect("registers Jane Smith, with spaces in her NHS number", () =>
      Effect.gen(function*() {
        const reply = yield* register({ nhs_number: "900 000 0009", dob: "2010-10-22" })
        assert.strictEqual(reply.status, 200)
        assert.deepStrictEqual(reply.body, { patient_id: "98765" })
        assert.strictEqual(reply.headers["content-type"], "application/json")
      }))

    it.effect("sends Noah Williams' patient_id as a JSON number", () =>
      Effect.gen(function*() {
        const reply = yield* register({ nhs_number: "9000000033", dob: "1978-12-01" })
        assert.deepStrictEqual(reply.body, { patient_id: 424242 })
      }))

    it.effect("asks Olivia Brown to verify her identity", () =>
      Effect.gen(function*() {
        const reply = yield* register({ nhs_number: "9000000017", dob: "1985-03-14", ehr_partner: "emis" })
        assert.strictEqual(reply.status, 200)
        assert.deepStrictEqual(reply.body, {
          message: "Patient must verify their identity before proceeding",
          login_url: SandboxPatients.oliviaBrown.loginUrl
        })
      }))

    it.effect("gives the same patient the same id every time", () =>
      Effect.gen(function*() {
        const first = yield* register(janeSmith)
        const second = yield* register({ ...janeSmith, ehr_partner: "tpp", ehr_partner_id: "42" })
        assert.deepStrictEqual(second.body, first.body)
      }))

    it.effect("answers 400 in Hero's shape for a missing field", () =>
      Effect.gen(function*() {
        const reply = yield* register({ dob: "2010-10-22" })
        assert.strictEqual(reply.status, 400)
        assert.deepStrictEqual(reply.body, {
          error: true,
          statusCode: 400,
          message: [{ code: "invalid_type", expected: "string", path: ["nhs_number"] }]
        })
      }))

    it.effect("answers 400 invalid_type for a field of the wrong type", () =>
      Effect.gen(function*() {
        const reply = yield* register({ nhs_number: 9000000009, dob: "2010-10-22", ehr_partner_id: 7 })
        assert.deepStrictEqual(
          reply.body,
          heroError(400, [
            issue("invalid_type", "string", ["nhs_number"]),
            issue("invalid_type", "string", ["ehr_partner_id"])
          ])
        )
      }))

    it.effect("answers 400 invalid_string for a bad check digit or date format", () =>
      Effect.gen(function*() {
        const reply = yield* register({ nhs_number: "9000000001", dob: "22/10/2010" })
        assert.deepStrictEqual(
          reply.body,
          heroError(400, [
            issue("invalid_string", "NHS number", ["nhs_number"]),
            issue("invalid_string", "YYYY-MM-DD", ["dob"])
          ])
        )
      }))

    it.effect("answers 400 for demographics with a missing or bad field", () =>
      Effect.gen(function*() {
        const reply = yield* register({ forename: " ", surname: "Smith", postcode: "nowhere" })
        assert.deepStrictEqual(
          reply.body,
          heroError(400, [
            issue("invalid_string", "non-empty string", ["forename"]),
            issue("invalid_type", "string", ["dob"]),
            issue("invalid_string", "UK postcode", ["postcode"])
          ])
        )
      }))

    it.effect("answers 400 when the body is not a JSON object", () =>
      Effect.gen(function*() {
        const notJson = yield* send(
          HttpClientRequest.post(url("/v1/patients/register_pds")).pipe(
            HttpClientRequest.setHeaders(auth),
            HttpClientRequest.bodyText("{\"nhs_number\":", "application/json")
          )
        )
        const array = yield* register([janeSmith])
        for (const reply of [notJson, array]) {
          assert.deepStrictEqual(reply.body, heroError(400, [issue("invalid_type", "object", [])]))
        }
      }))

    it.effect("answers 401 for a missing or unknown API key, before looking at the body", () =>
      Effect.gen(function*() {
        const missing = yield* register({}, { "x-practice-group-id": Sandbox.practiceGroupId })
        const unknown = yield* register(janeSmith, { ...auth, "x-api-key": "not-a-key" })
        for (const reply of [missing, unknown]) {
          assert.deepStrictEqual(reply.body, heroError(401, "Missing or invalid API key"))
        }
      }))

    it.effect("answers 403 for a missing practice group or one that is not the key's", () =>
      Effect.gen(function*() {
        const missing = yield* register(janeSmith, { "x-api-key": Sandbox.apiKey })
        const other = yield* register(janeSmith, { ...auth, "x-practice-group-id": "another-group" })
        for (const reply of [missing, other]) {
          assert.deepStrictEqual(reply.body, heroError(403, "API key does not have access to this practice group"))
        }
      }))

    it.effect("answers 404 for a valid number with no record, or a wrong date of birth", () =>
      Effect.gen(function*() {
        const unknown = yield* register({ nhs_number: SandboxPatients.unknownNhsNumber, dob: "2010-10-22" })
        const wrongDob = yield* register({ ...janeSmith, dob: "2010-10-23" })
        for (const reply of [unknown, wrongDob]) {
          assert.deepStrictEqual(reply.body, heroError(404, "Patient not found"))
        }
      }))

    it.effect("finds patients by demographics, ignoring case and postcode spacing", () =>
      Effect.gen(function*() {
        const jane = yield* register({ forename: "JANE", surname: "smith", dob: "2010-10-22", postcode: "ls16ae" })
        const namesake = yield* register({ forename: "Jane", surname: "Smith", dob: "1985-07-09", postcode: "SW1A1AA" })
        assert.deepStrictEqual(jane.body, { patient_id: "98765" })
        assert.deepStrictEqual(namesake.body, { patient_id: "131071" })
      }))

    it.effect("answers 404 when demographics match no one", () =>
      Effect.gen(function*() {
        const reply = yield* register({ forename: "Jane", surname: "Smith", dob: "2010-10-22", postcode: "SW1A 1AA" })
        assert.deepStrictEqual(reply.body, heroError(404, "Patient not found"))
      }))

    it.effect("answers GET /healthz, and 404 JSON for any other route", () =>
      Effect.gen(function*() {
        const health = yield* send(HttpClientRequest.get("http://localhost/healthz"))
        const other = yield* send(HttpClientRequest.get(url("/v1/patients/register_pds")))
        assert.deepStrictEqual([health.status, health.body], [200, { status: "ok" }])
        assert.deepStrictEqual([other.status, other.body], [404, heroError(404, "Not found")])
      }))
  })

  it.effect("numbers every response in x-request-id", () =>
    Effect.gen(function*() {
      const replies = [
        yield* register(janeSmith),
        yield* register(janeSmith, {}),
        yield* send(HttpClientRequest.get(url("/nowhere")))
      ]
      assert.deepStrictEqual(replies.map((reply) => reply.headers["x-request-id"]), [
        "sandbox-1",
        "sandbox-2",
        "sandbox-3"
      ])
    }).pipe(withSandbox()))

  it.effect("takes custom credentials and patients, deriving stable ids for patients without one", () =>
    Effect.gen(function*() {
      const patient = {
        nhsNumber: "999 000 0018",
        forename: "Test",
        surname: "Person",
        dob: "2000-01-01",
        postcode: "LS1 1AA"
      }
      const options = {
        credentials: [{ apiKey: "key-a", practiceGroupIds: ["group-1", "group-2"] }],
        patients: [patient]
      }
      const headers = { "x-api-key": "key-a", "x-practice-group-id": "group-2" }
      const body = { nhs_number: "9990000018", dob: "2000-01-01" }
      const first = yield* register(body, headers).pipe(withSandbox(options))
      const second = yield* register(body, headers).pipe(withSandbox(options))
      const id = SandboxPatients.patientIdOf(patient)
      assert.match(String(id), /^\d+$/)
      assert.deepStrictEqual([first.body, second.body], [{ patient_id: id }, { patient_id: id }])
      assert.strictEqual((yield* register(janeSmith, headers).pipe(withSandbox(options))).status, 404)
    }))

  describe("rate limit", () => {
    it.effect("answers 429 with an integer Retry-After, then refills with time", () =>
      Effect.gen(function*() {
        assert.deepStrictEqual(yield* statuses(2), [200, 200])
        const limited = yield* register(janeSmith)
        assert.strictEqual(limited.status, 429)
        assert.strictEqual(limited.headers["retry-after"], "1")
        assert.deepStrictEqual(limited.body, heroError(429, "Too many requests"))
        yield* TestClock.adjust("1 second")
        assert.deepStrictEqual(yield* statuses(2), [200, 429])
      }).pipe(withSandbox({ rateLimit: { requestsPerSecond: 1, burst: 2 } })))

    it.effect("rounds Retry-After up to whole seconds", () =>
      Effect.gen(function*() {
        yield* register(janeSmith)
        assert.strictEqual((yield* register(janeSmith)).headers["retry-after"], "4")
        yield* TestClock.adjust("3500 millis")
        assert.strictEqual((yield* register(janeSmith)).headers["retry-after"], "1")
      }).pipe(withSandbox({ rateLimit: { requestsPerSecond: 0.25, burst: 1 } })))

    it.effect("keeps a bucket per API key, 10 a second by default", () =>
      Effect.gen(function*() {
        assert.deepStrictEqual(yield* statuses(11), [...Array(10).fill(200), 429])
        const other = { "x-api-key": "key-b", "x-practice-group-id": "group-b" }
        assert.strictEqual((yield* register(janeSmith, other)).status, 200)
      }).pipe(withSandbox({
        credentials: [
          { apiKey: Sandbox.apiKey, practiceGroupIds: [Sandbox.practiceGroupId] },
          { apiKey: "key-b", practiceGroupIds: ["group-b"] }
        ]
      })))

    it.effect("can be turned off", () =>
      Effect.gen(function*() {
        assert.isTrue((yield* statuses(30)).every((status) => status === 200))
      }).pipe(withSandbox({ rateLimit: false })))
  })

  describe("faults", () => {
    it.effect("plays the script in order, one fault per request, after the credential checks", () =>
      Effect.gen(function*() {
        assert.strictEqual((yield* register(janeSmith, {})).status, 401)
        const first = yield* register(janeSmith)
        const second = yield* register(janeSmith)
        const third = yield* register(janeSmith)
        const fourth = yield* register(janeSmith)
        assert.deepStrictEqual(first.body, heroError(503, "Service Unavailable"))
        assert.strictEqual(first.headers["retry-after"], "2")
        assert.deepStrictEqual([second.status, second.headers["retry-after-ms"]], [429, "1500"])
        assert.deepStrictEqual([third.status, third.body], [200, "{\"patient_id\":"])
        assert.deepStrictEqual([fourth.status, fourth.body], [200, { patient_id: "98765" }])
      }).pipe(withSandbox({
        faults: {
          script: [
            Sandbox.Fault.Status({ status: 503, retryAfter: "2" }),
            { _tag: "Status", status: 429, retryAfterMs: "1500" },
            Sandbox.Fault.Malformed({ body: "{\"patient_id\":" })
          ]
        }
      })))

    it.effect("serves HTML error pages and empty bodies", () =>
      Effect.gen(function*() {
        const html = yield* register(janeSmith)
        const empty = yield* register(janeSmith)
        assert.deepStrictEqual([html.status, html.headers["content-type"]], [502, "text/html"])
        assert.deepStrictEqual([empty.status, empty.body], [200, ""])
      }).pipe(withSandbox({
        faults: {
          script: [
            Sandbox.Fault.Malformed({ body: "<html>Bad Gateway</html>", contentType: "text/html", status: 502 }),
            Sandbox.Fault.Malformed({ body: "" })
          ]
        }
      })))

    it.effect("delays a response on the Clock", () =>
      Effect.gen(function*() {
        const fiber = yield* Effect.fork(register(janeSmith))
        yield* TestClock.adjust("4999 millis")
        assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
        yield* TestClock.adjust("1 millis")
        assert.deepStrictEqual((yield* Fiber.join(fiber)).body, { patient_id: "98765" })
      }).pipe(withSandbox({ faults: { script: [Sandbox.Fault.Delay({ millis: 5000 })] } })))

    it.effect("draws random faults from Effect's Random, repeatably with a seed", () =>
      Effect.gen(function*() {
        const run = Effect.suspend(() =>
          statuses(20).pipe(
            withSandbox({
              rateLimit: false,
              faults: {
                random: {
                  probability: 0.5,
                  kinds: [Sandbox.Fault.Status({ status: 500 }), Sandbox.Fault.Status({ status: 503 })]
                }
              }
            }),
            Effect.withRandom(Random.make("sandbox"))
          )
        )
        const first = yield* run
        assert.deepStrictEqual(yield* run, first)
        assert.includeMembers(first, [200, 500, 503])
      }))
  })

  it("works as a web handler, where a dropped connection becomes an empty 500", async () => {
    const handler = Sandbox.toWebHandler({ faults: { script: [Sandbox.Fault.Drop()] } })
    const post = () =>
      handler(
        new Request(url("/v1/patients/register_pds"), {
          method: "POST",
          headers: auth,
          body: JSON.stringify(janeSmith)
        })
      )
    const dropped = await post()
    assert.deepStrictEqual([dropped.status, await dropped.text()], [500, ""])
    const response = await post()
    assert.deepStrictEqual([response.status, await response.json()], [200, { patient_id: "98765" }])
  })
})
