/**
 * A burst against the Node server while Hero is slow: every acknowledgement well under Slack's 3 s, Hero never
 * sees more calls at once than `HERO_MAX_CONCURRENCY` (counted at the real server on 127.0.0.1), commands past the
 * queue's bound are answered "busy" at once with no Hero call, and every admitted command gets its follow-up.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Stack } from "./utils/app.js"
import { startStack } from "./utils/app.js"
import * as Slack from "./utils/slack.js"

const burst = 300
const concurrency = 4
const queued = 36

let stack: Stack

beforeAll(async () => {
  stack = await startStack((base) => ({
    ...base,
    HERO_MAX_RETRIES: "0",
    HERO_MAX_CONCURRENCY: String(concurrency),
    SLACK_MAX_QUEUED_COMMANDS: String(queued)
  }))
}, 30_000)

afterAll(() => stack?.close())

describe("a burst while Hero is slow", () => {
  it(`${burst} commands at once: acks under 3 s, Hero concurrency within the bound, busy past the queue`, async () => {
    const { app, hero, receiver } = stack
    await hero.reset({ delayMs: 400 })
    const signed = Array.from(
      { length: burst },
      (_, i) =>
        Slack.signedCommand({
          text: "900 000 0009 22/10/2010",
          responseUrl: receiver.url(`/r/${i}`),
          user: `UBURST${i}`
        })
    )
    const acks = await Promise.all(signed.map((command) => app.post(command)))
    const slowest = Math.max(...acks.map((ack) => ack.ms))
    expect(slowest).toBeLessThan(3_000)
    const texts = acks.map((ack) => JSON.parse(ack.text).text as string)
    const tracing = texts.filter((text) => text.startsWith("Tracing")).length
    const busy = texts.filter((text) => text === "Busy: try again in a minute").length
    expect(tracing + busy).toBe(burst)
    expect(tracing).toBeGreaterThanOrEqual(concurrency + queued)
    expect(busy).toBeGreaterThan(burst / 2)
    // Every admitted command is looked up once and followed up; a busy one never reaches Hero.
    const deadline = Date.now() + 20_000
    while (receiver.posts.length < tracing && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(receiver.posts).toHaveLength(tracing)
    expect(receiver.posts.every((post) => post.body.text === "Registered *** *** 0009 with Hero")).toBe(true)
    expect(hero.requests()).toBe(tracing)
    expect(hero.maxInFlight()).toBeLessThanOrEqual(concurrency)
    expect(hero.maxInFlight()).toBe(concurrency)
  }, 60_000)
})
