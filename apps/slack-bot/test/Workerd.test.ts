/**
 * The Workers entry inside real workerd (Miniflare) with NO `nodejs_compat`: bundled from the built `dist` like
 * wrangler would, configured from `env` bindings, calling the Hero sandbox over HTTP on 127.0.0.1, with the
 * follow-up delivered by `ctx.waitUntil` to a loopback receiver. Outbound network is limited to loopback.
 */
import * as Sandbox from "@hero-pds/sandbox/Sandbox"
import { Miniflare } from "miniflare"
import type { Readable } from "node:stream"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { appEnv } from "./utils/app.js"
import { bundleWorker } from "./utils/bundle.js"
import { expectClean } from "./utils/privacy.js"
import type { HeroHarness, Receiver } from "./utils/servers.js"
import { startHeroHarness, startReceiver } from "./utils/servers.js"
import * as Slack from "./utils/slack.js"

const entry = fileURLToPath(new URL("workers/worker.ts", import.meta.url))

const deadlineMillis = 3_000

let hero: HeroHarness
let receiver: Receiver
let mf: Miniflare | undefined
const output: Array<string> = []

const collect = (stream: Readable) => {
  let partial = ""
  stream.on("data", (chunk: Buffer) => {
    const lines = (partial + chunk.toString("utf8")).split("\n")
    partial = lines.pop() ?? ""
    output.push(...lines.filter((line) => line.trim() !== ""))
  })
}

const worker = () => {
  if (mf === undefined) throw new Error("Miniflare is not running")
  return mf
}

beforeAll(async () => {
  hero = await startHeroHarness()
  receiver = await startReceiver()
  const bundle = await bundleWorker(entry)
  expect(bundle.builtins).toEqual([])
  mf = new Miniflare({
    modules: [{ type: "ESModule", path: "worker.mjs", contents: bundle.code }],
    compatibilityDate: "2026-04-01",
    compatibilityFlags: [],
    bindings: {
      ...appEnv({ heroUrl: hero.url, receiverOrigin: receiver.origin }),
      HERO_MAX_RETRIES: "1",
      HERO_RETRY_INITIAL_DELAY_MS: "20",
      // Short, so the hanging-Hero test is quick; the default is 20 s (Workers cut waitUntil work ~30 s on).
      HERO_DEADLINE_MS: String(deadlineMillis)
    },
    outboundService: { network: { allow: ["local"], deny: [] } },
    handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
      collect(stdout)
      collect(stderr)
    }
  })
  await mf.ready
}, 60_000)

afterAll(async () => {
  await mf?.dispose()
  await receiver?.close()
  await hero?.close()
})

const dispatch = async (text: string, fields: Partial<Slack.CommandFields> = {}) => {
  const signed = Slack.signedCommand({ text, responseUrl: receiver.url(), ...fields })
  const response = await worker().dispatchFetch("http://worker.test/slack/commands", {
    method: "POST",
    headers: signed.headers,
    body: signed.body
  })
  return { status: response.status, text: await response.text() }
}

describe("Workers entry in workerd", () => {
  it("serves /healthz", async () => {
    const response = await worker().dispatchFetch("http://worker.test/healthz")
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: "ok" })
  })

  it("acks a signed command and delivers the follow-up through waitUntil", async () => {
    await hero.reset()
    const ack = await dispatch("900 000 0009 22/10/2010")
    expect(ack.status).toBe(200)
    expect(JSON.parse(ack.text)).toMatchObject({ response_type: "ephemeral", text: "Tracing *** *** 0009 on PDS…" })
    const followUp = await receiver.next()
    expect(followUp.body).toMatchObject({
      response_type: "ephemeral",
      replace_original: true,
      text: "Registered *** *** 0009 with Hero"
    })
    expect(JSON.stringify(followUp.body)).toContain("98765")
    expect(hero.requests()).toBe(1)
  })

  it("explains a Hero failure and reuses the first result for a duplicate", async () => {
    await hero.reset()
    await dispatch("999 000 0018 01/01/1990", { user: "UWORKER02" })
    expect((await receiver.next()).body.text).toBe("No patient found on PDS (*** *** 0018)")
    await dispatch("900 000 0017 14/03/1985", { user: "UWORKER02" })
    await dispatch("900-000-0017 1985-03-14", { user: "UWORKER02" })
    expect((await receiver.next()).body.text).toBe("*** *** 0017 must verify their identity")
    expect((await receiver.next()).body.text).toBe("*** *** 0017 must verify their identity")
    expect(hero.requests()).toBe(2)
  })

  it("posts a final follow-up within the deadline when Hero never answers: retrying is safe", async () => {
    await hero.reset({ hang: true })
    const started = Date.now()
    const ack = await dispatch("900 000 0009 22/10/2010", { user: "UWORKER03" })
    expect(JSON.parse(ack.text).text).toBe("Tracing *** *** 0009 on PDS…")
    const followUp = await receiver.next(deadlineMillis + 2_000)
    const elapsed = Date.now() - started
    expect(elapsed).toBeLessThanOrEqual(deadlineMillis)
    expect(followUp.body).toMatchObject({
      response_type: "ephemeral",
      replace_original: true,
      text: "Hero did not answer in time (*** *** 0009)"
    })
    expect(JSON.stringify(followUp.body)).toContain("Trying again is safe")
    expect(hero.requests()).toBe(1)
  })

  it("acknowledges a signed block_actions payload with 200 and no Hero call", async () => {
    await hero.reset()
    const signed = Slack.signedInteraction(Slack.blockActions)
    const response = await worker().dispatchFetch("http://worker.test/slack/interactions", {
      method: "POST",
      headers: signed.headers,
      body: signed.body
    })
    expect(response.status).toBe(200)
    expect(await response.text()).toBe("")
    expect(hero.requests()).toBe(0)
  })

  it("rejects unsigned or tampered requests with 401 and no Hero call", async () => {
    await hero.reset()
    const signed = Slack.signedCommand({ text: "900 000 0009 22/10/2010", responseUrl: receiver.url() })
    const tampered = await worker().dispatchFetch("http://worker.test/slack/commands", {
      method: "POST",
      headers: signed.headers,
      body: signed.body.replace("0009", "0017")
    })
    expect(tampered.status).toBe(401)
    await tampered.text()
    const bad = await dispatch("900 000 0009 22/10/2010", { team: "TOTHER001" })
    expect(JSON.parse(bad.text).text).toBe("Not allowed here")
    expect(hero.requests()).toBe(0)
  })

  it("logs JSON lines with no NHS number, date of birth, signing secret or API key", async () => {
    await new Promise((resolve) => setTimeout(resolve, 200))
    const lines = output.filter((line) => line.startsWith("{"))
    expect(lines.some((line) => line.includes("\"event\":\"registration\""))).toBe(true)
    expectClean(output, {
      nhsNumbers: ["9000000009", "9000000017", "9990000018"],
      dobs: ["2010-10-22", "1985-03-14", "1990-01-01"],
      secrets: [Slack.secret, Sandbox.apiKey, Slack.auditHashKey]
    })
  })
})
