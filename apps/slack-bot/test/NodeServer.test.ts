/**
 * End to end over real HTTP on 127.0.0.1: the Node server as the entry runs it, signed commands, the Hero sandbox
 * served over HTTP behind it (with scripted faults), and a local server standing in for `response_url`.
 */
import * as Sandbox from "@hero-pds/sandbox/Sandbox"
import * as SandboxPatients from "@hero-pds/sandbox/SandboxPatients"
import { createHmac } from "node:crypto"
import * as Http from "node:http"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import type { RunningApp } from "./utils/app.js"
import { startStack } from "./utils/app.js"
import { expectWithinLimits } from "./utils/blockKit.js"
import { expectClean, expectJsonLines } from "./utils/privacy.js"
import type { HeroHarness, Receiver } from "./utils/servers.js"
import { startReceiver } from "./utils/servers.js"
import * as Slack from "./utils/slack.js"

let hero: HeroHarness
let receiver: Receiver
let app: RunningApp
let userCounter = 0

const Fault = Sandbox.Fault

beforeAll(async () => {
  ;({ app, hero, receiver } = await startStack((base) => ({
    ...base,
    SLACK_ALLOWED_TEAM_IDS: `${Slack.team},TTEST0002`,
    SLACK_ALLOWED_CHANNEL_IDS: `${Slack.channel},CTEST0002`,
    SLACK_RESPONSE_URL_ORIGINS: `https://hooks.slack.com,${base.SLACK_RESPONSE_URL_ORIGINS}`,
    HERO_MAX_RETRIES: "1",
    HERO_RETRY_INITIAL_DELAY_MS: "20",
    HERO_RETRY_JITTER: "false"
  })))
}, 30_000)

afterAll(async () => {
  await app?.close()
  await receiver?.close()
  await hero?.close()
  if (app !== undefined) {
    expectClean(expectJsonLines(app.lines).map((line) => JSON.stringify(line)), {
      nhsNumbers: ["9000000009", "9000000017", "9990000018", "9434765919"],
      dobs: ["2010-10-22", "1985-03-14", "1990-01-01"],
      secrets: [Slack.secret, Sandbox.apiKey, Slack.auditHashKey]
    })
  }
})

beforeEach(async () => {
  await hero.reset()
})

/** Each test is its own user, so the duplicate guard only joins what a test means it to. */
const command = (text: string, fields: Partial<Slack.CommandFields> = {}) =>
  app.post(Slack.signedCommand({ text, responseUrl: receiver.url(), user: `UE2E${++userCounter}`, ...fields }))

const acked = async (text: string, fields: Partial<Slack.CommandFields> = {}) => {
  const ack = await command(text, fields)
  expect(ack.status).toBe(200)
  const body = JSON.parse(ack.text)
  expect(body).toMatchObject({ response_type: "ephemeral" })
  expect(body.text).toMatch(/^Tracing \*\*\* \*\*\* \d{4} on PDS…$/)
  const followUp = await receiver.next()
  expect(followUp.contentType).toContain("application/json")
  expect(followUp.body).toMatchObject({ response_type: "ephemeral", replace_original: true })
  expect(followUp.body.text).not.toMatch(/\d{10}|\d{3} \d{3} \d{4}/)
  return { ack, followUp: followUp.body, json: JSON.stringify(followUp.body) }
}

const lastAudit = () => {
  const audits = expectJsonLines(app.lines).filter((line) => line.event === "registration")
  return audits[audits.length - 1]!
}

describe("Node server end to end", () => {
  it("serves /healthz", async () => {
    const response = await fetch(`${app.url}/healthz`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: "ok" })
  })

  it("registers a patient: header, masked NHS number, patient id, reference", async () => {
    const { followUp, json } = await acked("900 000 0009 22/10/2010")
    expect(followUp.text).toBe("Registered *** *** 0009 with Hero")
    expect(followUp.blocks[0]).toMatchObject({ type: "header", text: { text: "Patient registered with Hero" } })
    expect(json).toContain("*** *** 0009")
    expect(json).toContain("98765")
    const audit = lastAudit()
    expect(audit).toMatchObject({
      event: "registration",
      outcome: "Registered",
      team: Slack.team,
      channel: Slack.channel,
      nhsNumber: "*** *** 0009",
      practiceGroupId: Sandbox.practiceGroupId,
      patient_id: "98765",
      nhsNumberHash: createHmac("sha256", Slack.auditHashKey).update("9000000009").digest("hex")
    })
    // The audit line identifies the patient by the keyed hash only: no NHS number, no date of birth, no secret.
    expectClean([JSON.stringify(audit)], {
      nhsNumbers: ["9000000009"],
      dobs: ["2010-10-22"],
      secrets: [Slack.secret, Sandbox.apiKey, Slack.auditHashKey]
    })
    expect(audit.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
    expect(audit.user).toMatch(/^UE2E/)
    // The Hero call's correlation id, as Hero received it in x-correlation-id.
    expect(audit.correlationId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    expect(audit.correlationId).toBe(hero.calls.at(-1)!.correlationId)
    expect(typeof audit.durationMs).toBe("number")
    expect(json).toContain(String(audit.reference))
    expect(hero.requests()).toBe(1)
  })

  it("sends the verification link as a plain button for the patient", async () => {
    const { followUp } = await acked("900-000-0017 14 March 1985")
    expect(followUp.text).toBe("*** *** 0017 must verify their identity")
    const actions = followUp.blocks.find((block: { type: string }) => block.type === "actions")
    expect(actions.elements[0]).toMatchObject({ type: "button", url: expect.stringMatching(/^https:\/\//) })
    expect(actions.elements[0].style).toBeUndefined()
    expect(actions.elements[0].text.text).toMatch(/patient/i)
  })

  it("explains not found: check the number and date of birth", async () => {
    const { followUp, json } = await acked("999 000 0018 01/01/1990")
    expect(followUp.text).toBe("No patient found on PDS (*** *** 0018)")
    expect(json).toContain("Check the NHS number and date of birth")
    const audit = lastAudit()
    expect(audit).toMatchObject({ outcome: "PatientNotFound", status: 404, heroRequestId: expect.any(String) })
    expect(audit.correlationId).toBe(hero.calls.at(-1)!.correlationId)
  })

  it("explains rate limiting with the seconds to wait", async () => {
    await hero.reset({ faults: { script: [Fault.Status({ status: 429, retryAfter: "120" })] } })
    const { followUp, json } = await acked("900 000 0009 22/10/2010")
    expect(followUp.text).toBe("Hero is busy right now (*** *** 0009)")
    expect(json).toContain("Try again in 120 seconds")
  })

  it("explains unauthorised and forbidden: ask the practice admin to check the API key", async () => {
    for (const status of [401, 403]) {
      await hero.reset({ faults: { script: [Fault.Status({ status })] } })
      const { followUp, json } = await acked("900 000 0009 22/10/2010")
      expect(followUp.text).toBe("Hero refused this app's credentials (*** *** 0009)")
      expect(json).toContain("ask your practice admin to check the Hero API key")
      expect(lastAudit().outcome).toBe(status === 401 ? "Unauthorized" : "Forbidden")
    }
  })

  it("explains server errors and dropped connections after the retry policy: try again shortly", async () => {
    await hero.reset({ faults: { script: [Fault.Status({ status: 503 }), Fault.Status({ status: 503 })] } })
    const server = await acked("900 000 0009 22/10/2010")
    expect(server.followUp.text).toBe("Hero or PDS is not responding (*** *** 0009)")
    expect(server.json).toContain("Try again in a few minutes")
    expect(lastAudit()).toMatchObject({ outcome: "ServerError", status: 503, attempts: 2 })
    expect(hero.requests()).toBe(2)
    await hero.reset({ faults: { script: [Fault.Drop(), Fault.Drop()] } })
    const dropped = await acked("900 000 0009 22/10/2010")
    expect(dropped.followUp.text).toBe("Hero or PDS is not responding (*** *** 0009)")
    expect(lastAudit()).toMatchObject({ outcome: "TransportError", attempts: 2 })
  })

  it("acknowledges at once even when Hero is slow", async () => {
    await hero.reset({ faults: { script: [Fault.Delay({ millis: 1500 })] } })
    const { ack, followUp } = await acked("900 000 0009 22/10/2010")
    expect(ack.ms).toBeLessThan(1000)
    expect(followUp.text).toBe("Registered *** *** 0009 with Hero")
  })

  it("answers invalid input in the acknowledgement, with no Hero call and no follow-up", async () => {
    for (const text of ["943 476 5918 22/10/2010", "943 476 5919 10/22/2010", "943 476 5919", "22/10/2099"]) {
      const ack = await command(text)
      expect(ack.status).toBe(200)
      const body = JSON.parse(ack.text)
      expect(body.response_type).toBe("ephemeral")
      expect(body.text).toBe("That command needs fixing")
    }
    const help = JSON.parse((await command("help")).text)
    expect(help.text).toBe("How to use /register-patient")
    expect(hero.requests()).toBe(0)
    expect(receiver.posts.length).toBeGreaterThan(0)
    const before = receiver.posts.length
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(receiver.posts.length).toBe(before)
  })

  it("refuses unauthorised workspaces, users and channels in the acknowledgement", async () => {
    for (const fields of [{ team: "TOTHER001" }, { channel: "COTHER001" }]) {
      const body = JSON.parse((await command("900 000 0009 22/10/2010", fields)).text)
      expect(body).toMatchObject({ response_type: "ephemeral", text: "Not allowed here" })
    }
    expect(hero.requests()).toBe(0)
  })

  it("never POSTs to a response_url outside the allowed origins", async () => {
    const before = receiver.posts.length
    const other = await startReceiver()
    try {
      const body = JSON.parse((await command("900 000 0009 22/10/2010", { responseUrl: other.url() })).text)
      expect(body.text).toBe("The result could not be delivered")
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect(other.posts).toHaveLength(0)
      expect(receiver.posts.length).toBe(before)
      expect(hero.requests()).toBe(0)
    } finally {
      await other.close()
    }
  })

  it("does not call Hero again for the same command from the same person within 60 s", async () => {
    await hero.reset({ faults: { script: [Fault.Delay({ millis: 300 })] } })
    const fields = { user: "UDUPLICATE" }
    const first = command("900 000 0009 22/10/2010", fields)
    const second = command("9000000009 2010-10-22", fields)
    expect((await first).status).toBe(200)
    expect((await second).status).toBe(200)
    const replies = [await receiver.next(), await receiver.next()]
    expect(replies.map((reply) => reply.body.text)).toEqual([
      "Registered *** *** 0009 with Hero",
      "Registered *** *** 0009 with Hero"
    ])
    const third = await acked("900 000 0009 22/10/2010", fields)
    expect(third.followUp.text).toBe("Registered *** *** 0009 with Hero")
    expect(hero.requests()).toBe(1)
  })

  it("retries a follow-up that fails (4 posts at most: Slack allows 5), and logs one that keeps failing", async () => {
    receiver.failNext(3, 503)
    const { followUp } = await acked("900 000 0009 22/10/2010")
    expect(followUp.text).toBe("Registered *** *** 0009 with Hero")
    receiver.failNext(4, 500)
    const ack = await command("900 000 0041 30/05/1931")
    expect(ack.status).toBe(200)
    const deadline = Date.now() + 5000
    while (!app.lines.some((line) => line.includes("follow_up_failed")) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    const failed = expectJsonLines(app.lines).find((line) => line.event === "follow_up_failed")
    expect(failed).toMatchObject({ reason: "HTTP 500", origin: receiver.origin })
    const audit = lastAudit()
    expect(failed!.reference).toBe(audit.reference)
    expect(audit.outcome).toBe("Registered")
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200)
  })

  it("keeps oversized Hero values within Block Kit's limits: a valid, truncated reply", async () => {
    const patientId = `R-\`${"7".repeat(4_998)}`
    const loginUrl = `https://verify.example/${"a".repeat(3_006)}`
    await hero.reset({
      patients: [
        { ...SandboxPatients.janeSmith, patientId },
        { ...SandboxPatients.janeSmith, nhsNumber: "9000000017", dob: "1985-03-14", patientId: undefined, loginUrl }
      ]
    })
    const registered = await acked("900 000 0009 22/10/2010")
    expectWithinLimits(registered.followUp)
    expect(registered.followUp.text).toBe("Registered *** *** 0009 with Hero")
    expect(registered.json).toContain("cannot show exactly")
    expect(lastAudit().patient_id).toMatch(/^R-\?7+…$/)
    const verify = await acked("900 000 0017 14/03/1985")
    expectWithinLimits(verify.followUp)
    expect(verify.followUp.blocks.some((block: { type: string }) => block.type === "actions")).toBe(false)
  })

  it("acknowledges a signed block_actions payload (the link button) with 200 and no Hero call; refuses a forged one", async () => {
    const post = (signed: Slack.Signed) =>
      fetch(`${app.url}/slack/interactions`, { method: "POST", headers: signed.headers, body: signed.body })
    const ok = await post(Slack.signedInteraction(Slack.blockActions))
    expect(ok.status).toBe(200)
    expect(await ok.text()).toBe("")
    const forged = await post(Slack.signedInteraction(Slack.blockActions, { secret: "not-the-signing-secret" }))
    expect(forged.status).toBe(401)
    expect(hero.requests()).toBe(0)
    const logged = expectJsonLines(app.lines).filter((line) => line.event === "interaction")
    expect(logged.at(-1)).toMatchObject({ type: "block_actions", actions: ["open_verification_link"] })
  })

  it("refuses oversized bodies (declared or streamed) with 413 and other content types with 415", async () => {
    const signed = Slack.signedCommand({ text: `x${"y".repeat(70_000)}`, responseUrl: receiver.url() })
    expect((await app.post(signed)).status).toBe(413)
    // Chunked, with no Content-Length: the server counts the bytes it reads and stops past 64 KiB.
    const chunked = await new Promise<number>((resolve, reject) => {
      const request = Http.request(`${app.url}/slack/commands`, { method: "POST", headers: signed.headers }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      request.on("error", (error) => (error.message.includes("EPIPE") ? undefined : reject(error)))
      for (let i = 0; i < signed.body.length; i += 8192) request.write(signed.body.slice(i, i + 8192))
      request.end()
    })
    expect(chunked).toBe(413)
    const json = await fetch(`${app.url}/slack/commands`, {
      method: "POST",
      headers: { ...signed.headers, "content-type": "application/json" },
      body: "{}"
    })
    expect(json.status).toBe(415)
    expect(hero.requests()).toBe(0)
  })
})
