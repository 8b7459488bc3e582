/**
 * Chaos: a seeded stream of requests (3,000 unless `CHAOS_REQUESTS` says otherwise; `CHAOS_SEED` replays a run,
 * `CHAOS_CONCURRENCY` sets how many are in flight) mixing forged signatures, stale and future timestamps,
 * oversized bodies (declared and actual), malformed form bodies, wrong content types and methods, unknown paths,
 * refused workspaces, users and channels, bad command text and valid signed commands, sent to the real Node
 * server on 127.0.0.1. Behind it, the Hero sandbox served over HTTP counts every register_pds call, and a local
 * server stands in for `response_url`.
 *
 * The app must answer every request with the expected status (never a 5xx, never a hang) and stay healthy; call
 * Hero once for each valid command and never otherwise (duplicates within 60 s reuse the first call); deliver
 * exactly one follow-up per valid command; and keep every log line, acknowledgement and follow-up free of NHS
 * numbers, dates of birth and secrets. The counts per request kind and per status are printed at the end.
 */
import * as Sandbox from "@hero-pds/sandbox/Sandbox"
import * as SandboxPatients from "@hero-pds/sandbox/SandboxPatients"
import * as Http from "node:http"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { RunningApp } from "../test/utils/app.js"
import { startApp } from "../test/utils/app.js"
import * as Patients from "../test/utils/patients.js"
import { expectClean, expectJsonLines, withoutExamples } from "../test/utils/privacy.js"
import type { HeroHarness, Receiver } from "../test/utils/servers.js"
import { startHeroHarness, startReceiver } from "../test/utils/servers.js"
import * as Slack from "../test/utils/slack.js"

const total = Number(process.env.CHAOS_REQUESTS ?? 3_000)
const concurrency = Number(process.env.CHAOS_CONCURRENCY ?? 24)
const seed = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31))
const requestTimeoutMs = 20_000

/** A distinctive Hero API key, so that a leak of it cannot be missed. */
const heroApiKey = "hero-chaos-api-key-5d1f0e9a7c3b"
const teams = ["TCHAOS001", "TCHAOS002"] as const
const users = Array.from({ length: 40 }, (_, i) => `UCHAOS${String(i).padStart(3, "0")}`)
const channels = ["CCHAOS001", "CCHAOS002"] as const
const knownPatients = [SandboxPatients.janeSmith, SandboxPatients.amirKhan, SandboxPatients.oliviaBrown]

type Kind =
  | "valid"
  | "duplicate"
  | "forgedSignature"
  | "staleTimestamp"
  | "futureTimestamp"
  | "oversizedBody"
  | "oversizedDeclared"
  | "malformedBody"
  | "wrongContentType"
  | "wrongMethod"
  | "unknownPath"
  | "disallowed"
  | "badCommand"
  | "foreignResponseUrl"
  | "sslCheck"

const weights: ReadonlyArray<readonly [Kind, number]> = [
  ["valid", 26],
  ["duplicate", 5],
  ["forgedSignature", 9],
  ["staleTimestamp", 4],
  ["futureTimestamp", 4],
  ["oversizedBody", 3],
  ["oversizedDeclared", 3],
  ["malformedBody", 9],
  ["wrongContentType", 5],
  ["wrongMethod", 4],
  ["unknownPath", 4],
  ["disallowed", 7],
  ["badCommand", 10],
  ["foreignResponseUrl", 3],
  ["sslCheck", 1]
]

/** What an answer must look like: its status, and for a 200 what its text says. */
type Ack = "tracing" | "denied" | "mistake" | "undeliverable" | "empty" | "any"

interface Planned {
  readonly index: number
  readonly kind: Kind
  readonly variant: string
  readonly method: string
  readonly path: string
  readonly headers: Record<string, string>
  readonly body: Uint8Array<ArrayBuffer> | undefined
  /** Sent with node:http: a declared length that differs from the body, or streamed in chunks. */
  readonly raw?: "declared" | "chunked" | undefined
  /** Acceptable statuses; `dropped` when the server may close the connection instead. */
  readonly statuses: ReadonlyArray<number | "dropped">
  readonly ack?: Ack | undefined
  /** For valid commands (and their duplicates): the path its follow-up must be POSTed to. */
  readonly followUp?: string | undefined
}

type Answer =
  | { readonly _tag: "Status"; readonly status: number; readonly text: string }
  | { readonly _tag: "Dropped"; readonly message: string }
  | { readonly _tag: "Hang" }

interface Issued {
  readonly team: string
  readonly user: string
  readonly channel: string
  readonly text: string
}

const encoder = new TextEncoder()
const form = "application/x-www-form-urlencoded"

let hero: HeroHarness
let receiver: Receiver
let app: RunningApp

beforeAll(async () => {
  hero = await startHeroHarness()
  await hero.reset({ credentials: [{ apiKey: heroApiKey, practiceGroupIds: [Sandbox.practiceGroupId] }] })
  receiver = await startReceiver()
  app = await startApp({
    env: {
      SLACK_SIGNING_SECRET: Slack.secret,
      SLACK_ALLOWED_TEAM_IDS: teams.join(","),
      SLACK_ALLOWED_USER_IDS: users.join(","),
      SLACK_ALLOWED_CHANNEL_IDS: channels.join(","),
      SLACK_RESPONSE_URL_ORIGINS: receiver.origin,
      AUDIT_HASH_KEY: Slack.auditHashKey,
      HERO_API_KEY: heroApiKey,
      HERO_PRACTICE_GROUP_ID: Sandbox.practiceGroupId,
      HERO_BASE_URL: hero.url,
      // One attempt per command, so the sandbox's request count is the number of Hero calls.
      HERO_MAX_RETRIES: "0",
      HERO_TIMEOUT_MS: "20000",
      // Every valid command is looked up (the queue's bound is the burst test's business).
      SLACK_MAX_QUEUED_COMMANDS: "100000"
    }
  })
}, 60_000)

afterAll(async () => {
  await app?.close()
  await receiver?.close()
  await hero?.close()
})

/** Builds the request stream, one request at a time (timestamps are taken when a request is built). */
const planner = () => {
  const random = Patients.prng(seed)
  const weightTotal = weights.reduce((sum, [, weight]) => sum + weight, 0)
  const nhsNumbers = new Set<string>()
  const dobs = new Set<string>()
  const recent: Array<Issued> = []
  const usedKnown = new Set<string>()
  let nextNumber = 910_000_000

  const pickKind = (): Kind => {
    let roll = random.int(1, weightTotal)
    for (const [kind, weight] of weights) {
      roll -= weight
      if (roll <= 0) return kind
    }
    return "valid"
  }
  const now = () => Math.floor(Date.now() / 1000)
  const freshNumber = (): string => {
    for (;;) {
      const digits = Patients.nhsNumberFrom(nextNumber)
      nextNumber += 7
      if (digits !== undefined) return digits
    }
  }
  const dob = () => {
    const iso = Patients.randomDob(random)
    dobs.add(iso)
    return iso
  }
  const spelledCommand = (digits: string, iso: string) => {
    nhsNumbers.add(digits)
    dobs.add(iso)
    const nhs = Patients.spellNhsNumber(digits, random.pick(["plain", "spaced", "hyphenated", "mixed"] as const))
    const date = Patients.spellDate(iso, random.pick(["iso", "ukSlash", "ukHyphen", "ukShort"] as const))
    return random.next() < 0.1 ? `${date} ${nhs}` : `${nhs} ${date}`
  }
  const who = () => ({ team: random.pick(teams), user: random.pick(users), channel: random.pick(channels) })
  const responseUrl = (index: number) => receiver.url(`/r/${index}`)
  const body = (fields: Issued & { readonly responseUrl: string }) => Slack.commandBody(fields)
  const signed = (text: string | Uint8Array, timestamp = now(), secret = Slack.secret) => {
    const ts = String(timestamp)
    return {
      "content-type": form,
      "x-slack-request-timestamp": ts,
      "x-slack-signature": Slack.sign(secret, ts, text)
    }
  }
  const post = (
    index: number,
    kind: Kind,
    variant: string,
    bytes: Uint8Array<ArrayBuffer>,
    headers: Record<string, string>,
    expected: Pick<Planned, "statuses" | "ack" | "followUp" | "raw">
  ): Planned => ({ index, kind, variant, method: "POST", path: "/slack/commands", headers, body: bytes, ...expected })

  /** A command with a valid number and date that has never been sent (so Hero must be called for it). */
  const newCommand = (): Issued => {
    const base = who()
    if (random.next() < 0.15) {
      const patient = random.pick(knownPatients)
      const key = `${base.user}:${patient.nhsNumber}`
      if (!usedKnown.has(key)) {
        usedKnown.add(key)
        return { ...base, text: spelledCommand(patient.nhsNumber, patient.dob) }
      }
    }
    return { ...base, text: spelledCommand(freshNumber(), dob()) }
  }

  const badText = (): readonly [string, string] => {
    const digits = freshNumber()
    const iso = dob()
    nhsNumbers.add(digits)
    const [y, m, d] = iso.split("-") as [string, string, string]
    const nhs = Patients.spellNhsNumber(digits, "spaced")
    const options: ReadonlyArray<readonly [string, () => string]> = [
      ["checkDigit", () => `${Patients.spellNhsNumber(Patients.withWrongCheckDigit(digits), "spaced")} ${d}/${m}/${y}`],
      ["usOrder", () => `${nhs} ${Number(d) > 12 ? `${m}/${d}/${y}` : `${m}/32/${y}`}`],
      ["future", () => `${nhs} ${d}/${m}/${new Date().getUTCFullYear() + 1 + random.int(0, 50)}`],
      ["tooEarly", () => `${nhs} ${d}/${m}/18${random.int(10, 99)}`],
      ["twoDigitYear", () => `${nhs} ${d}/${m}/${y.slice(2)}`],
      ["impossible", () => `${nhs} 31/02/${y}`],
      ["missingDate", () => nhs],
      ["missingNumber", () => `${d}/${m}/${y}`],
      ["twoDates", () => `${nhs} ${d}/${m}/${y} ${iso}`],
      ["tooManyDigits", () => `${nhs}${random.int(0, 9)} ${iso}`],
      ["letters", () => `${nhs.replace(/\d/, "x")} ${iso}`],
      ["help", () => random.pick(["help", "", "   ", "?", "HELP"])],
      ["unicode", () => `${nhs} ${iso} \u202e\u200b\ud83d\ude00 ${String.fromCharCode(random.int(0, 31))}`.repeat(2)],
      [
        "control",
        () => Array.from({ length: random.int(1, 64) }, () => String.fromCharCode(random.int(0, 31))).join("")
      ],
      ["huge", () => `${nhs} ${iso} ${"x".repeat(random.int(1_000, 40_000))}`],
      ["slackLink", () => `<tel:${digits}|${nhs}> <${iso}> <${iso}>`]
    ]
    const [variant, make] = random.pick(options)
    return [variant, make()]
  }

  const next = (index: number): Planned => {
    const kind = pickKind()
    switch (kind) {
      case "valid":
      case "duplicate": {
        const original = kind === "duplicate" && recent.length > 0 ? random.pick(recent) : undefined
        const issued = original ?? newCommand()
        if (original === undefined) {
          recent.push(issued)
          if (recent.length > 20) recent.shift()
        }
        const text = body({ ...issued, responseUrl: responseUrl(index) })
        return post(
          index,
          original === undefined ? "valid" : "duplicate",
          "signed",
          encoder.encode(text),
          signed(text),
          {
            statuses: [200],
            ack: "tracing",
            followUp: `/r/${index}`
          }
        )
      }
      case "forgedSignature": {
        const text = body({ ...newCommandUnsent(), responseUrl: responseUrl(index) })
        const good = signed(text)
        const variants: ReadonlyArray<readonly [string, () => [Record<string, string>, string]]> = [
          ["wrongSecret", () => [signed(text, now(), `${Slack.secret}x`), text]],
          ["tamperedBody", () => [good, text.replace("team_id=", "team_id=X")]],
          ["randomHex", () => [{ ...good, "x-slack-signature": `v0=${hexOf(random.bytes(32))}` }, text]],
          [
            "wrongVersion",
            () => [{ ...good, "x-slack-signature": good["x-slack-signature"].replace("v0=", "v1=") }, text]
          ],
          ["truncated", () => [{ ...good, "x-slack-signature": good["x-slack-signature"].slice(0, -2) }, text]],
          ["noSignature", () => [without(good, "x-slack-signature"), text]],
          ["noTimestamp", () => [without(good, "x-slack-request-timestamp"), text]],
          [
            "badTimestamp",
            () => [{ ...good, "x-slack-request-timestamp": `${good["x-slack-request-timestamp"]}.0` }, text]
          ],
          ["replayedTimestamp", () => [{ ...good, "x-slack-request-timestamp": String(now() + 1) }, text]],
          ["emptySignature", () => [{ ...good, "x-slack-signature": "" }, text]]
        ]
        const [variant, make] = random.pick(variants)
        const [headers, sent] = make()
        return post(index, kind, variant, encoder.encode(sent), headers, { statuses: [401] })
      }
      case "staleTimestamp":
      case "futureTimestamp": {
        const text = body({ ...newCommandUnsent(), responseUrl: responseUrl(index) })
        const offset = random.int(400, 400_000) * (kind === "staleTimestamp" ? -1 : 1)
        return post(index, kind, "signed", encoder.encode(text), signed(text, now() + offset), { statuses: [401] })
      }
      case "oversizedBody": {
        const variant = random.pick(["justOver", "large", "huge", "chunkedHuge", "atLimit"] as const)
        const fields = { ...newCommandUnsent(), responseUrl: responseUrl(index) }
        const size = variant === "justOver"
          ? random.int(64 * 1024 + 1, 70_000)
          : variant === "large"
          ? random.int(100_000, 250_000)
          : variant === "atLimit"
          ? 64 * 1024
          : random.int(300_000, 1_000_000)
        const padded = padTo(body({ ...fields, text: "x" }), size)
        const headers = signed(padded)
        return variant === "atLimit"
          ? post(index, kind, variant, encoder.encode(padded), headers, { statuses: [200], ack: "mistake" })
          : variant === "chunkedHuge"
          // Past 256 KiB without a Content-Length, the server stops reading and the connection drops.
          ? post(index, kind, variant, encoder.encode(padded), headers, { statuses: [413, "dropped"], raw: "chunked" })
          : post(index, kind, variant, encoder.encode(padded), headers, { statuses: [413] })
      }
      case "oversizedDeclared": {
        const text = body({ ...newCommandUnsent(), responseUrl: responseUrl(index) })
        const variant = random.pick(["declaredLarge", "declaredHuge", "nonNumeric", "negative"] as const)
        const declared = variant === "declaredLarge"
          ? String(random.int(64 * 1024 + 1, 1_000_000))
          : variant === "declaredHuge"
          ? "99999999999"
          : variant === "nonNumeric"
          ? random.pick(["abc", "1e3", "0x10", "12 34"])
          : "-1"
        return post(index, kind, variant, encoder.encode(text), { ...signed(text), "content-length": declared }, {
          statuses: variant === "declaredLarge" || variant === "declaredHuge" ? [413] : [400],
          raw: "declared"
        })
      }
      case "malformedBody": {
        const issued = newCommandUnsent()
        const variants: ReadonlyArray<readonly [string, () => readonly [Uint8Array<ArrayBuffer>, number]]> = [
          ["badPercentEncoding", () => {
            const text = `${body({ ...issued, text: "x", responseUrl: responseUrl(index) })}&text=%ZZ%E0%A4%A%`
            return [encoder.encode(text.replace("text=x&", "")), 200]
          }],
          ["invalidUtf8", () => {
            const fields = dropField(body({ ...issued, responseUrl: responseUrl(index) }), "text")
            const head = encoder.encode(`${fields}&text=`)
            return [concat(head, Uint8Array.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80, 0x39])), 200]
          }],
          [
            "missingTeam",
            () => [encoder.encode(dropField(body({ ...issued, responseUrl: responseUrl(index) }), "team_id")), 400]
          ],
          [
            "missingUser",
            () => [encoder.encode(dropField(body({ ...issued, responseUrl: responseUrl(index) }), "user_id")), 400]
          ],
          ["binaryJunk", () => [random.bytes(random.int(1, 4_000)), 400]],
          ["empty", () => [new Uint8Array(0), 400]],
          ["json", () => [encoder.encode(JSON.stringify({ ...issued, response_url: responseUrl(index) })), 400]],
          ["noSeparators", () => [encoder.encode(`team_id${issued.team}user_id${issued.user}text${issued.text}`), 400]]
        ]
        const [variant, make] = random.pick(variants)
        const [bytes, status] = make()
        return post(index, kind, variant, bytes, signed(bytes), {
          statuses: [status],
          ack: status === 200 ? "mistake" : undefined
        })
      }
      case "wrongContentType": {
        const text = body({ ...newCommandUnsent(), responseUrl: responseUrl(index) })
        const type = random.pick([
          "application/json",
          "text/plain",
          "multipart/form-data; boundary=xyz",
          "application/x-www-form-urlencodedx",
          "application/xml",
          "none"
        ])
        const headers = type === "none"
          ? without(signed(text), "content-type")
          : { ...signed(text), "content-type": type }
        return post(index, kind, type, encoder.encode(text), headers, { statuses: [415] })
      }
      case "wrongMethod": {
        const method = random.pick(["GET", "PUT", "DELETE", "PATCH", "OPTIONS"])
        const text = body({ ...newCommandUnsent(), responseUrl: responseUrl(index) })
        const bytes = method === "GET" ? undefined : encoder.encode(text)
        return {
          index,
          kind,
          variant: method,
          method,
          path: "/slack/commands",
          headers: signed(text),
          body: bytes,
          statuses: [404]
        }
      }
      case "unknownPath": {
        const path = random.pick([
          "/",
          "/slack",
          "/slack/command",
          "/slack/commands/extra",
          "/slack/commands.php",
          "/v1/patients/register_pds",
          "/healthz/x",
          "/admin",
          "/%00"
        ])
        const text = body({ ...newCommandUnsent(), responseUrl: responseUrl(index) })
        return { ...post(index, kind, path, encoder.encode(text), signed(text), { statuses: [404] }), path }
      }
      case "disallowed": {
        const issued = newCommandUnsent()
        const [variant, fields] = random.pick(
          [
            ["team", { ...issued, team: "TOTHER001" }],
            ["user", { ...issued, user: "UOTHER001" }],
            ["channel", { ...issued, channel: "COTHER001" }],
            ["noChannel", { ...issued, channel: "" }],
            ["lowercaseTeam", { ...issued, team: issued.team.toLowerCase() }]
          ] as const
        )
        const text = body({ ...fields, responseUrl: responseUrl(index) })
        return post(index, kind, variant, encoder.encode(text), signed(text), { statuses: [200], ack: "denied" })
      }
      case "badCommand": {
        const [variant, typed] = badText()
        const text = body({ ...who(), text: typed, responseUrl: responseUrl(index) })
        return post(index, kind, variant, encoder.encode(text), signed(text), { statuses: [200], ack: "mistake" })
      }
      case "foreignResponseUrl": {
        const url = random.pick([
          "https://attacker.example/collect",
          "http://127.0.0.1:9/r",
          "https://hooks.slack.com.evil.example/x",
          "not a url",
          "",
          "javascript:alert(1)"
        ])
        const text = body({ ...newCommandUnsent(), responseUrl: url })
        return post(index, kind, url === "" ? "empty" : url, encoder.encode(text), signed(text), {
          statuses: [200],
          ack: "undeliverable"
        })
      }
      case "sslCheck": {
        const text = "ssl_check=1&token=deprecated"
        return post(index, kind, "signed", encoder.encode(text), signed(text), { statuses: [200], ack: "empty" })
      }
    }
  }

  /** A plausible command that must never reach Hero (its request is flawed in some other way). */
  function newCommandUnsent(): Issued {
    return { ...who(), text: spelledCommand(freshNumber(), dob()) }
  }

  return { next, nhsNumbers, dobs }
}

const hexOf = (bytes: Uint8Array) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("")
const without = (headers: Record<string, string>, name: string) =>
  Object.fromEntries(Object.entries(headers).filter(([key]) => key !== name))
const dropField = (text: string, name: string) =>
  text.split("&").filter((pair) => !pair.startsWith(`${name}=`)).join("&")
const padTo = (text: string, size: number) => `${text}&pad=${"a".repeat(Math.max(0, size - text.length - 5))}`
const concat = (a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> => {
  const bytes = new Uint8Array(a.length + b.length)
  bytes.set(a, 0)
  bytes.set(b, a.length)
  return bytes
}

/** Sends with node:http, for what fetch will not do: a Content-Length that lies, or a chunked stream. */
const sendRaw = (url: string, planned: Planned): Promise<Answer> =>
  new Promise((resolve) => {
    const request = Http.request(`${url}${planned.path}`, {
      method: planned.method,
      agent: false,
      headers: planned.headers,
      timeout: requestTimeoutMs
    }, (response) => {
      const chunks: Array<Buffer> = []
      response.on("data", (chunk: Buffer) => chunks.push(chunk))
      response.on("end", () => {
        resolve({ _tag: "Status", status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") })
        request.destroy()
      })
      response.on("error", (error) => resolve({ _tag: "Dropped", message: error.message }))
    })
    request.on("timeout", () => {
      resolve({ _tag: "Hang" })
      request.destroy()
    })
    request.on("error", (error) => resolve({ _tag: "Dropped", message: error.message }))
    const bytes = planned.body ?? new Uint8Array(0)
    if (planned.raw === "chunked") {
      for (let offset = 0; offset < bytes.length; offset += 16_384) {
        request.write(bytes.subarray(offset, offset + 16_384))
      }
      request.end()
    } else {
      // Declared lengths that differ from the body: send what there is and wait for the answer.
      request.write(bytes.subarray(0, Math.min(bytes.length, 1_024)))
    }
  })

const send = async (url: string, planned: Planned): Promise<Answer> => {
  if (planned.raw !== undefined) return sendRaw(url, planned)
  try {
    const response = await fetch(`${url}${planned.path}`, {
      method: planned.method,
      headers: planned.headers,
      ...(planned.body === undefined ? {} : { body: planned.body }),
      signal: AbortSignal.timeout(requestTimeoutMs)
    })
    return { _tag: "Status", status: response.status, text: await response.text() }
  } catch (error) {
    const name = error instanceof Error ? error.name : ""
    return name === "TimeoutError" || name === "AbortError"
      ? { _tag: "Hang" }
      : { _tag: "Dropped", message: String(error instanceof Error ? error.cause ?? error.message : error) }
  }
}

const ackMatches = (ack: Ack | undefined, text: string): boolean => {
  if (ack === undefined || ack === "any") return true
  if (ack === "empty") return text === ""
  const parsed = JSON.parse(text) as { response_type?: string; text?: string }
  if (parsed.response_type !== "ephemeral") return false
  switch (ack) {
    case "tracing":
      return /^Tracing \*\*\* \*\*\* \d{4} on PDS…$/.test(parsed.text ?? "")
    case "denied":
      return parsed.text === "Not allowed here"
    case "mistake":
      return parsed.text === "That command needs fixing" || parsed.text === "How to use /register-patient"
    case "undeliverable":
      return parsed.text === "The result could not be delivered"
  }
}

const table = (title: string, rows: ReadonlyArray<readonly [string, string]>) => {
  const width = Math.max(...rows.map(([name]) => name.length), title.length)
  return [`${title.padEnd(width)}  count`, ...rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`)].join("\n")
}

const waitUntil = async (condition: () => boolean, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
}

describe("Slack app chaos", () => {
  it(`survives ${total} mixed requests and calls Hero only for valid ones`, async () => {
    const started = performance.now()
    const plan = planner()
    const results: Array<{ readonly planned: Planned; readonly answer: Answer }> = []
    let next = 0
    const worker = async () => {
      while (next < total) {
        const planned = plan.next(next++)
        results.push({ planned, answer: await send(app.url, planned) })
      }
    }
    await Promise.all(Array.from({ length: concurrency }, worker))
    const sentMillis = performance.now() - started

    const expectedFollowUps = new Set(results.flatMap(({ planned }) => planned.followUp ?? []))
    const validCommands = results.filter(({ planned }) => planned.kind === "valid").length
    await waitUntil(() => receiver.posts.length >= expectedFollowUps.size, 60_000)
    // Anything late or extra would arrive now.
    await new Promise((resolve) => setTimeout(resolve, 500))

    const health = await fetch(`${app.url}/healthz`)
    const healthStatus = health.status
    await health.text()

    // Counts per kind and per status, printed whatever happens below.
    const byKind = new Map<string, Map<string, number>>()
    const byStatus = new Map<string, number>()
    const failures: Array<string> = []
    for (const { answer, planned } of results) {
      const outcome = answer._tag === "Status" ? String(answer.status) : answer._tag === "Dropped" ? "dropped" : "hang"
      const counts = byKind.get(planned.kind) ?? new Map<string, number>()
      counts.set(outcome, (counts.get(outcome) ?? 0) + 1)
      byKind.set(planned.kind, counts)
      byStatus.set(outcome, (byStatus.get(outcome) ?? 0) + 1)
      const expected = answer._tag === "Status"
        ? planned.statuses.includes(answer.status) && ackMatches(planned.ack, answer.text)
        : answer._tag === "Dropped" && planned.statuses.includes("dropped")
      if (!expected) {
        failures.push(
          `#${planned.index} ${planned.kind}/${planned.variant}: expected ${planned.statuses.join("|")}` +
            `${planned.ack === undefined ? "" : ` (${planned.ack})`}, got ${
              answer._tag === "Status"
                ? `${answer.status} ${answer.text.slice(0, 120)}`
                : answer._tag === "Dropped"
                ? `dropped (${answer.message})`
                : "no answer"
            }`
        )
      }
    }
    const followUpCounts = new Map<string, number>()
    for (const post of receiver.posts) followUpCounts.set(post.path, (followUpCounts.get(post.path) ?? 0) + 1)
    const logs = expectJsonLines(app.lines)
    const events = (name: string) => logs.filter((line) => line.event === name)
    const heroOutcomes = new Map<string, number>()
    for (const line of events("registration")) {
      const outcome = String(line.outcome)
      heroOutcomes.set(outcome, (heroOutcomes.get(outcome) ?? 0) + 1)
    }

    process.stdout.write(
      [
        "",
        `Slack chaos: ${results.length} requests, seed ${seed} (CHAOS_SEED=${seed} replays it), concurrency ` +
        `${concurrency}, sent in ${(sentMillis / 1000).toFixed(1)} s`,
        "",
        table(
          "request kind",
          [...byKind].sort(([a], [b]) => a.localeCompare(b)).map(([kind, counts]) => [
            kind,
            `${[...counts.values()].reduce((a, b) => a + b, 0)}  (${
              [...counts].sort().map(([status, n]) => `${status}: ${n}`).join(", ")
            })`
          ])
        ),
        "",
        table("response status", [...byStatus].sort().map(([status, n]) => [status, String(n)])),
        "",
        table("audited outcome", [...heroOutcomes].sort().map(([outcome, n]) => [outcome, String(n)])),
        "",
        `valid commands: ${validCommands}, duplicates: ${expectedFollowUps.size - validCommands}, ` +
        `Hero calls: ${hero.requests()}, follow-ups: ${receiver.posts.length}, log lines: ${app.lines.length}, ` +
        `/healthz: ${healthStatus}`,
        ...(failures.length === 0 ? [] : ["", `${failures.length} unexpected answers:`, ...failures.slice(0, 25)]),
        "",
        ""
      ].join("\n")
    )

    expect(results).toHaveLength(total)
    expect(failures).toEqual([])
    expect(healthStatus).toBe(200)
    // Hero is called once per valid command, and for nothing else.
    expect(hero.requests()).toBe(validCommands)
    // Exactly one follow-up per valid command (duplicates included), and none anywhere else.
    expect([...followUpCounts].filter(([path, n]) => n !== 1 || !expectedFollowUps.has(path))).toEqual([])
    expect(followUpCounts.size).toBe(expectedFollowUps.size)
    for (const post of receiver.posts) {
      expect(post.body).toMatchObject({ response_type: "ephemeral", replace_original: true })
    }
    // Every answered command was audited and delivered; nothing crashed.
    const heroAnswered = (heroOutcomes.get("Registered") ?? 0) + (heroOutcomes.get("VerificationRequired") ?? 0) +
      (heroOutcomes.get("PatientNotFound") ?? 0)
    expect(heroAnswered).toBe(expectedFollowUps.size)
    expect(events("follow_up")).toHaveLength(expectedFollowUps.size)
    expect(events("follow_up_failed")).toEqual([])
    expect(events("request_failed")).toEqual([])
    // Nothing private anywhere: log lines, acknowledgements, follow-ups.
    const secrets = { nhsNumbers: plan.nhsNumbers, dobs: plan.dobs, secrets: [Slack.secret, heroApiKey] }
    expectClean(app.lines, secrets)
    expectClean(
      results.flatMap(({ answer }) => (answer._tag === "Status" ? [withoutExamples(answer.text)] : [])),
      secrets,
      "an acknowledgement"
    )
    expectClean(receiver.posts.map((post) => JSON.stringify(post.body)), secrets, "a follow-up")
  }, 170_000)
})
