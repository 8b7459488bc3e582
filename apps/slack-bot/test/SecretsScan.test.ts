/**
 * One scan for secrets and patient data across the project's user-facing surfaces, driven through every kind of
 * Hero error (and the successes) against the sandbox served over HTTP:
 * (a) the `hero-pds` CLI as child processes, human and `--json` output;
 * (b) the Node Promise client, each error as `String(error)`, `error.message`, `JSON.stringify(error)`,
 *     `error.stack` and `util.inspect(error)`, plus anything it wrote to the console;
 * (c) the Slack app's Node entry (`dist/NodeMain.js`) over HTTP, through the same errors and forged requests:
 *     every line it printed, every acknowledgement and every follow-up.
 * Nothing may contain the Hero API key, the Slack signing secret, any NHS number used (plain, `943 476 5919` or
 * `943-476-5919`) or any date of birth used (ISO or UK forms). Masked numbers (`*** *** 5919`) are fine.
 *
 * Follow-ups to `response_url` are ephemeral, seen only by the person who typed the command, but they still carry
 * no date of birth and only the masked NHS number: the DESIGN keeps the notification `text` masked, Slack shows
 * that text in notifications and previews, and a masked number is all staff need to match the result to the
 * patient they just typed (its reference ties it to the audit log).
 */
import type { HeroError } from "@hero-pds/node"
import { createHeroClient } from "@hero-pds/node"
import * as NodeSandboxServer from "@hero-pds/sandbox/NodeSandboxServer"
import * as Sandbox from "@hero-pds/sandbox/Sandbox"
import type * as SandboxPatients from "@hero-pds/sandbox/SandboxPatients"
import { existsSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { inspect } from "node:util"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { appEnv } from "./utils/app.js"
import * as Patients from "./utils/patients.js"
import { expectClean, expectJsonLines, withoutExamples } from "./utils/privacy.js"
import { cleanEnv, killAll, listeningPort, spawnNode, waitFor } from "./utils/processes.js"
import type { HeroHarness, Receiver } from "./utils/servers.js"
import { startHeroHarness, startReceiver } from "./utils/servers.js"
import * as Slack from "./utils/slack.js"

/** A Hero API key no test could produce by accident: if any spelling of it shows up, it leaked. */
const apiKey = "hero_live_sk_7Qm2vX9pL4tR8wZ1"
const practiceGroupId = Sandbox.practiceGroupId

/** Synthetic patients of our own (valid Modulus 11, none used in any usage example). */
const registered: SandboxPatients.Patient = {
  nhsNumber: "9723648156",
  forename: "Priya",
  surname: "Patel",
  dob: "1967-08-19",
  postcode: "LS2 9JT",
  patientId: "R-55021"
}
const mustVerify: SandboxPatients.Patient = {
  nhsNumber: "9681024737",
  forename: "Tomasz",
  surname: "Nowak",
  dob: "1974-11-03",
  postcode: "M4 1HN",
  loginUrl: "https://patient.sandbox.hero-pds.test/verify/tn-4c1d"
}
const unknown = { nhsNumber: "9835172064", dob: "1958-04-27" }
const forgedPatient = { nhsNumber: "9517364024", dob: "2001-06-15" }
const wrongCheckDigit = Patients.withWrongCheckDigit(registered.nhsNumber)
const wrongDob = "1967-09-18"
const impossibleDob = "1967-02-30"

/** Everything the scan looks for. */
const forbidden = {
  nhsNumbers: [registered.nhsNumber, mustVerify.nhsNumber, unknown.nhsNumber, forgedPatient.nhsNumber, wrongCheckDigit],
  dobs: [registered.dob, mustVerify.dob, unknown.dob, forgedPatient.dob, wrongDob, impossibleDob],
  secrets: [apiKey, Slack.secret, Slack.auditHashKey]
}

const Fault = Sandbox.Fault
/** A Hero that echoes what it was sent, to catch a client that copies response bodies into its errors. */
const echo = `nhs_number ${registered.nhsNumber} (${Patients.spellNhsNumber(registered.nhsNumber, "spaced")}) ` +
  `dob ${registered.dob} x-api-key ${apiKey}`

interface Scenario {
  readonly name: string
  /** The `_tag` of the result or error. */
  readonly tag: string
  readonly exitCode: number
  readonly nhsNumber: string
  /** ISO; the CLI and Slack type it in UK form. */
  readonly dob: string
  readonly sandbox: Sandbox.Options
}

const withKey: Sandbox.Options = {
  credentials: [{ apiKey, practiceGroupIds: [practiceGroupId] }],
  patients: [registered, mustVerify],
  rateLimit: false
}
const faulty = (...script: ReadonlyArray<Sandbox.Fault>): Sandbox.Options => ({ ...withKey, faults: { script } })

/** With `maxRetries: 1`, so every retried fault is scripted twice. */
const scenarios: ReadonlyArray<Scenario> = [
  { name: "registered", tag: "Registered", exitCode: 0, ...registered, sandbox: withKey },
  { name: "verification required", tag: "VerificationRequired", exitCode: 3, ...mustVerify, sandbox: withKey },
  {
    name: "invalid NHS number",
    tag: "InvalidInput",
    exitCode: 2,
    nhsNumber: wrongCheckDigit,
    dob: registered.dob,
    sandbox: withKey
  },
  {
    name: "impossible date",
    tag: "InvalidInput",
    exitCode: 2,
    nhsNumber: registered.nhsNumber,
    dob: impossibleDob,
    sandbox: withKey
  },
  { name: "404 unknown number", tag: "PatientNotFound", exitCode: 4, ...unknown, sandbox: withKey },
  {
    name: "404 wrong date",
    tag: "PatientNotFound",
    exitCode: 4,
    nhsNumber: registered.nhsNumber,
    dob: wrongDob,
    sandbox: withKey
  },
  {
    name: "401 unknown key",
    tag: "Unauthorized",
    exitCode: 5,
    ...registered,
    sandbox: { ...withKey, credentials: [{ apiKey: "another-key", practiceGroupIds: [practiceGroupId] }] }
  },
  {
    name: "403 other practice group",
    tag: "Forbidden",
    exitCode: 5,
    ...registered,
    sandbox: { ...withKey, credentials: [{ apiKey, practiceGroupIds: ["another-practice-group"] }] }
  },
  {
    name: "429 beyond the cap",
    tag: "RateLimited",
    exitCode: 6,
    ...registered,
    sandbox: faulty(Fault.Status({ status: 429, retryAfter: "120" }))
  },
  {
    name: "429 after retries",
    tag: "RateLimited",
    exitCode: 6,
    ...registered,
    sandbox: faulty(Fault.Status({ status: 429, retryAfterMs: "10" }), Fault.Status({ status: 429 }))
  },
  {
    name: "5xx after retries",
    tag: "ServerError",
    exitCode: 7,
    ...registered,
    sandbox: faulty(Fault.Status({ status: 500 }), Fault.Status({ status: 503 }))
  },
  {
    name: "5xx HTML page echoing the request",
    tag: "ServerError",
    exitCode: 7,
    ...registered,
    sandbox: faulty(
      Fault.Malformed({ status: 502, contentType: "text/html", body: `<html><body>${echo}</body></html>` }),
      Fault.Malformed({ status: 502, contentType: "text/html", body: `<html><body>${echo}</body></html>` })
    )
  },
  {
    name: "400 in Hero's shape",
    tag: "BadRequest",
    exitCode: 2,
    ...registered,
    sandbox: faulty(
      Fault.Malformed({
        status: 400,
        body: JSON.stringify({
          error: true,
          statusCode: 400,
          message: [{ code: "invalid_string", expected: "NHS number", path: ["nhs_number"] }]
        })
      })
    )
  },
  {
    name: "dropped connection",
    tag: "TransportError",
    exitCode: 7,
    ...registered,
    sandbox: faulty(Fault.Drop(), Fault.Drop())
  },
  {
    name: "timeout",
    tag: "TransportError",
    exitCode: 7,
    ...registered,
    sandbox: faulty(Fault.Delay({ millis: 3_000 }), Fault.Delay({ millis: 3_000 }))
  },
  {
    name: "unexpected 200 body echoing the request",
    tag: "UnexpectedResponse",
    exitCode: 8,
    ...registered,
    sandbox: faulty(Fault.Malformed({ body: JSON.stringify({ echo, nhs_number: registered.nhsNumber }) }))
  },
  {
    name: "truncated JSON",
    tag: "UnexpectedResponse",
    exitCode: 8,
    ...registered,
    sandbox: faulty(Fault.Malformed({ body: `{"patient_id": "R-55021", "nhs_number": "${registered.nhsNumber}` }))
  },
  {
    name: "unexpected status echoing the request",
    tag: "UnexpectedResponse",
    exitCode: 8,
    ...registered,
    sandbox: faulty(Fault.Malformed({ status: 418, contentType: "text/plain", body: echo }))
  },
  {
    // A 400 whose validation issues echo the request (a proxy or a Hero bug could): core keeps only their shape.
    name: "400 echoing the request",
    tag: "BadRequest",
    exitCode: 2,
    ...registered,
    sandbox: faulty(
      Fault.Malformed({
        status: 400,
        body: JSON.stringify({
          error: true,
          statusCode: 400,
          message: [{ code: "invalid_string", expected: echo, path: ["nhs_number", registered.nhsNumber] }]
        })
      })
    )
  }
]

const ukDate = (iso: string) => Patients.spellDate(iso, "ukSlash")
/** Runs `work` over `items`, at most `limit` at a time, keeping the order of the results. */
const mapLimit = async <A, B>(items: ReadonlyArray<A>, limit: number, work: (item: A) => Promise<B>) => {
  const results: Array<B> = new Array(items.length)
  let next = 0
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await work(items[index]!)
    }
  }))
  return results
}
const withSandbox = async <A>(options: Sandbox.Options, use: (url: string) => Promise<A>): Promise<A> => {
  const sandbox = await NodeSandboxServer.start(options)
  try {
    return await use(sandbox.url)
  } finally {
    await sandbox.close()
  }
}

/** The CLI's bin, resolved through the package (a dependency of this app); fails clearly when it is not built. */
const cliBin = () => {
  const nodeRoot = dirname(createRequire(import.meta.url).resolve("@hero-pds/node/package.json"))
  const bundle = join(nodeRoot, "dist", "hero-pds.mjs")
  if (!existsSync(bundle)) {
    throw new Error(
      `The hero-pds CLI is not built (${bundle} is missing): run \`pnpm turbo run build\` (or ` +
        "`pnpm --filter @hero-pds/node build`) before this test."
    )
  }
  return { nodeRoot, bin: join(nodeRoot, "bin", "hero-pds.js") }
}

/** `hero-pds register` against a fresh sandbox for the scenario: checks the exit code, returns every line. */
const runCli = (scenario: Scenario, json: boolean) => {
  const { bin, nodeRoot } = cliBin()
  const nhs = Patients.spellNhsNumber(scenario.nhsNumber, json ? "plain" : "spaced")
  return withSandbox(scenario.sandbox, async (url) => {
    const cli = spawnNode([bin, "register", nhs, ukDate(scenario.dob), ...(json ? ["--json"] : [])], {
      cwd: nodeRoot,
      env: cleanEnv({
        HERO_ENV: "sandbox",
        HERO_BASE_URL: url,
        HERO_API_KEY: apiKey,
        HERO_PRACTICE_GROUP_ID: practiceGroupId,
        HERO_MAX_RETRIES: "1",
        HERO_TIMEOUT_MS: "300"
      })
    })
    const code = await cli.exited
    const label = `${scenario.name}${json ? " --json" : ""}`
    expect(code, `${label}: ${cli.stderr.join("\n")}`).toBe(scenario.exitCode)
    if (json) {
      expect(cli.stdout, label).toHaveLength(1)
      const parsed = JSON.parse(cli.stdout[0]!) as Record<string, unknown>
      expect(parsed, label).toMatchObject(
        scenario.tag === "Registered"
          ? { outcome: "registered", patientId: registered.patientId }
          : scenario.tag === "VerificationRequired"
          ? { outcome: "verification_required", loginUrl: mustVerify.loginUrl }
          : { outcome: "error", error: scenario.tag }
      )
    } else {
      expect([...cli.stdout, ...cli.stderr].join("\n").length, label).toBeGreaterThan(0)
    }
    return [...cli.stdout, ...cli.stderr].map((line) => `[${label}] ${line}`)
  })
}

/** The Node client against a fresh sandbox: the result or error, rendered every way a caller might print it. */
const runClient = (scenario: Scenario) =>
  withSandbox(scenario.sandbox, async (url) => {
    const hero = createHeroClient({
      apiKey,
      practiceGroupId,
      baseUrl: url,
      maxRetries: 1,
      timeoutMs: 300,
      retryInitialDelayMs: 20,
      retryJitter: false
    })
    try {
      const input = { nhsNumber: Patients.spellNhsNumber(scenario.nhsNumber, "hyphenated"), dob: scenario.dob }
      const result = await hero.registerPds(input).then(
        (value) => ({ _tag: "ok" as const, value }),
        (error: HeroError) => ({ _tag: "error" as const, error })
      )
      if (result._tag === "ok") {
        expect(result.value._tag, scenario.name).toBe(scenario.tag)
        return [JSON.stringify(result.value), String(result.value), inspect(result.value, { depth: 10 })]
      }
      const error = result.error
      expect(error, scenario.name).toBeInstanceOf(Error)
      expect(error._tag, `${scenario.name}: ${error.message}`).toBe(scenario.tag)
      return [
        String(error),
        error.message,
        JSON.stringify(error),
        error.stack ?? "",
        inspect(error, { depth: 10 }),
        inspect(error, { depth: 10, showHidden: true })
      ].map((text) => `[${scenario.name}] ${text}`)
    } finally {
      await hero.close()
    }
  })

afterAll(killAll)

describe("secrets and patient data scan", () => {
  it("the hero-pds CLI prints none, human or --json, whatever Hero does", async () => {
    const runs = scenarios.flatMap((scenario) => [{ scenario, json: false }, { scenario, json: true }])
    const outputs = await mapLimit(runs, 6, ({ json, scenario }) => runCli(scenario, json))
    expectClean(outputs.flat(), forbidden, "CLI output")
  }, 60_000)

  it("the Node Promise client's errors and results carry none, however they are printed", async () => {
    const printed: Array<string> = []
    const spies = (["log", "info", "warn", "error", "debug", "trace"] as const).map((method) =>
      vi.spyOn(console, method).mockImplementation((...args: Array<unknown>) => {
        printed.push(args.map((arg) => (typeof arg === "string" ? arg : inspect(arg, { depth: 10 }))).join(" "))
      })
    )
    try {
      const captured = await mapLimit(scenarios, 6, runClient)
      expectClean(captured.flat(), forbidden, "a Node client result or error")
      expectClean(printed, forbidden, "console output of the Node client")
    } finally {
      for (const spy of spies) spy.mockRestore()
    }
  }, 60_000)

  describe("the Slack app's Node entry", () => {
    let hero: HeroHarness
    let receiver: Receiver
    let app: ReturnType<typeof spawnNode>
    let url: string

    beforeAll(async () => {
      hero = await startHeroHarness()
      receiver = await startReceiver()
      app = spawnNode(["dist/NodeMain.js"], {
        cwd: fileURLToPath(new URL("..", import.meta.url)),
        env: cleanEnv({
          PORT: "0",
          HOST: "127.0.0.1",
          ...appEnv({ heroUrl: hero.url, receiverOrigin: receiver.origin }),
          HERO_API_KEY: apiKey,
          HERO_PRACTICE_GROUP_ID: practiceGroupId,
          HERO_MAX_RETRIES: "1",
          HERO_TIMEOUT_MS: "300"
        })
      })
      const port = await listeningPort(app)
      url = `http://127.0.0.1:${port}`
    }, 30_000)

    afterAll(async () => {
      if (app !== undefined && app.child.exitCode === null) app.child.kill("SIGTERM")
      await app?.exited
      await receiver?.close()
      await hero?.close()
    })

    it("logs, acknowledges and follows up with none, through every Hero error and forged requests", async () => {
      const post = async (signed: Slack.Signed) => {
        const response = await fetch(`${url}/slack/commands`, {
          method: "POST",
          headers: signed.headers,
          body: signed.body
        })
        return { status: response.status, text: await response.text() }
      }
      const acks: Array<string> = []
      const followUps: Array<string> = []
      let user = 0
      for (const scenario of scenarios) {
        await hero.reset(scenario.sandbox)
        const text = `${Patients.spellNhsNumber(scenario.nhsNumber, "spaced")} ${ukDate(scenario.dob)}`
        const ack = await post(
          Slack.signedCommand({ text, responseUrl: receiver.url(`/r/${user}`), user: `USCAN${++user}` })
        )
        expect(ack.status, scenario.name).toBe(200)
        acks.push(withoutExamples(ack.text))
        const reply = JSON.parse(ack.text) as { text: string }
        if (scenario.tag === "InvalidInput") {
          expect(reply.text, scenario.name).toBe("That command needs fixing")
          continue
        }
        expect(reply.text, scenario.name).toBe(`Tracing *** *** ${scenario.nhsNumber.slice(6)} on PDS…`)
        const followUp = await receiver.next()
        expect(followUp.path).toBe(`/r/${user - 1}`)
        const message = followUp.body as { text: string; response_type: string }
        expect(message.response_type).toBe("ephemeral")
        // The masked number is there, and nothing more of it.
        expect(message.text, scenario.name).toContain(`*** *** ${scenario.nhsNumber.slice(6)}`)
        followUps.push(JSON.stringify(followUp.body))
      }
      expect(hero.requests()).toBeGreaterThan(0)

      // Forged, stale, refused and undeliverable requests carrying patient data.
      await hero.reset(withKey)
      const forgedText = `${Patients.spellNhsNumber(forgedPatient.nhsNumber, "hyphenated")} ${forgedPatient.dob}`
      const fields = { text: forgedText, responseUrl: receiver.url("/forged"), user: "UFORGED01" }
      const nowSeconds = Math.floor(Date.now() / 1000)
      const good = Slack.signedCommand(fields)
      const forged: ReadonlyArray<readonly [Slack.Signed, number]> = [
        [Slack.signedCommand(fields, { secret: "not-the-signing-secret" }), 401],
        [Slack.signedCommand(fields, { nowSeconds: nowSeconds - 600 }), 401],
        [Slack.signedCommand(fields, { nowSeconds: nowSeconds + 600 }), 401],
        [{ headers: good.headers, body: good.body.replace("UFORGED01", "UFORGED02") }, 401],
        [{ headers: { ...good.headers, "x-slack-signature": `v0=${"0".repeat(64)}` }, body: good.body }, 401],
        [{ headers: { ...good.headers, "content-type": "application/json" }, body: good.body }, 415],
        [Slack.signedCommand({ ...fields, team: "TOTHER001" }), 200],
        [Slack.signedCommand({ ...fields, responseUrl: "https://attacker.example/collect" }), 200]
      ]
      for (const [signed, status] of forged) {
        const answer = await post(signed)
        expect(answer.status).toBe(status)
        acks.push(withoutExamples(answer.text))
      }
      expect(hero.requests()).toBe(0)
      expect((await fetch(`${url}/healthz`)).status).toBe(200)

      // Let the last audit and follow-up lines land, then stop the app so that everything it prints is in.
      await waitFor(() => (app.stdout.filter((line) => line.includes("\"follow_up\"")).length >= followUps.length
        ? true
        : undefined)
      )
      app.child.kill("SIGTERM")
      await app.exited
      const lines = [...app.stdout, ...app.stderr]
      const logs = expectJsonLines(lines)
      expect(logs.filter((line) => line.event === "registration").length).toBe(
        scenarios.length + 2
      )
      expect(logs.filter((line) => line.event === "request_rejected").length).toBeGreaterThanOrEqual(6)
      expectClean(lines, forbidden, "a log line of the Slack app")
      expectClean(acks, forbidden, "an acknowledgement")
      expectClean(followUps, forbidden, "a follow-up")
      expect(receiver.posts.map((posted) => posted.path)).not.toContain("/forged")
    }, 60_000)
  })
})
