/**
 * Several practices (a PCN's channels) over real HTTP: each channel's commands reach Hero (the sandbox on
 * 127.0.0.1, which checks the key against the practice group) with that practice's group and key; a command from
 * an unmapped channel is refused with no Hero call; the audit names the practice group.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Stack } from "./utils/app.js"
import { startStack } from "./utils/app.js"
import { expectClean, expectJsonLines } from "./utils/privacy.js"
import * as Slack from "./utils/slack.js"

const practiceA = { channel: "CPRACTICEA", practiceGroupId: "pcn-practice-a", apiKey: "key-for-practice-a-0001" }
const practiceB = { channel: "GPRACTICEB", practiceGroupId: "pcn-practice-b", apiKey: "key-for-practice-b-0002" }

let stack: Stack

beforeAll(async () => {
  stack = await startStack(({ HERO_API_KEY: _key, HERO_PRACTICE_GROUP_ID: _group, ...base }) => ({
    ...base,
    SLACK_PRACTICES: JSON.stringify(Object.fromEntries([practiceA, practiceB].map((practice) => [
      practice.channel,
      { practiceGroupId: practice.practiceGroupId, apiKey: practice.apiKey }
    ]))),
    HERO_MAX_RETRIES: "0"
  }))
}, 30_000)

afterAll(() => stack?.close())

describe("two practices mapped by channel", () => {
  it("each channel reaches Hero with its own practice group and key; an unmapped channel is refused", async () => {
    const { app, hero, receiver } = stack
    await hero.reset({
      credentials: [practiceA, practiceB].map((practice) => ({
        apiKey: practice.apiKey,
        practiceGroupIds: [practice.practiceGroupId]
      }))
    })
    for (const [i, practice] of [practiceA, practiceB, practiceA].entries()) {
      const ack = await app.post(Slack.signedCommand({
        text: "900 000 0009 22/10/2010",
        responseUrl: receiver.url(),
        channel: practice.channel,
        user: `UPCN${i}`
      }))
      expect(JSON.parse(ack.text).text).toBe("Tracing *** *** 0009 on PDS…")
      expect((await receiver.next()).body.text).toBe("Registered *** *** 0009 with Hero")
    }
    expect(hero.calls.map((call) => [call.practiceGroupId, call.apiKey])).toEqual([
      [practiceA.practiceGroupId, practiceA.apiKey],
      [practiceB.practiceGroupId, practiceB.apiKey],
      [practiceA.practiceGroupId, practiceA.apiKey]
    ])
    const refused = await app.post(Slack.signedCommand({
      text: "900 000 0009 22/10/2010",
      responseUrl: receiver.url(),
      channel: "CUNMAPPED1"
    }))
    expect(JSON.parse(refused.text).text).toBe("Not allowed here")
    expect(hero.requests()).toBe(3)
    const audits = expectJsonLines(app.lines).filter((line) => line.event === "registration")
    expect(audits.map((line) => [line.channel, line.practiceGroupId ?? null, line.outcome])).toEqual([
      [practiceA.channel, practiceA.practiceGroupId, "Registered"],
      [practiceB.channel, practiceB.practiceGroupId, "Registered"],
      [practiceA.channel, practiceA.practiceGroupId, "Registered"],
      ["CUNMAPPED1", null, "Denied"]
    ])
    expectClean(app.lines, {
      nhsNumbers: ["9000000009"],
      dobs: ["2010-10-22"],
      secrets: [Slack.secret, Slack.auditHashKey, practiceA.apiKey, practiceB.apiKey]
    })
  })
})
