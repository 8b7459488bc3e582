/**
 * The Node server's limits over real sockets on 127.0.0.1 (set small here; the defaults are 10 s for headers,
 * 15 s for a whole request, 1,024 connections): a client that trickles its headers or its body is cut off, and
 * connections past the cap are refused while the ones within it are served.
 */
import * as Net from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { RunningApp } from "./utils/app.js"
import { startApp } from "./utils/app.js"
import * as Slack from "./utils/slack.js"

let app: RunningApp
let port: number

beforeAll(async () => {
  app = await startApp({
    env: {
      SLACK_SIGNING_SECRET: Slack.secret,
      SLACK_ALLOWED_TEAM_IDS: Slack.team,
      AUDIT_HASH_KEY: Slack.auditHashKey,
      HERO_API_KEY: "unused-hero-key",
      HERO_PRACTICE_GROUP_ID: "unused-group",
      HERO_BASE_URL: "http://127.0.0.1:9"
    },
    limits: { headersTimeoutMillis: 500, requestTimeoutMillis: 1_000, maxConnections: 3 }
  })
  port = Number(new URL(app.url).port)
}, 30_000)

afterAll(() => app?.close())

/** A raw connection; resolves when the server closes it, with how long that took and what it answered. */
const hold = (send: string) => {
  const socket = Net.connect(port, "127.0.0.1")
  const started = Date.now()
  let answered = ""
  socket.on("data", (chunk) => (answered += chunk.toString("utf8")))
  socket.on("error", () => {})
  const closed = new Promise<{ readonly ms: number; readonly answered: string }>((resolve) =>
    socket.on("close", () => resolve({ ms: Date.now() - started, answered }))
  )
  const connected = new Promise<void>((resolve) => socket.on("connect", () => resolve()))
  if (send !== "") socket.write(send)
  return { socket, closed, connected }
}

describe("Node server limits", () => {
  it("cuts off a client that trickles its headers", async () => {
    const { closed } = hold("POST /slack/commands HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    const { answered, ms } = await closed
    expect(ms).toBeLessThan(3_000)
    expect(answered).toMatch(/^HTTP\/1\.1 408/)
  })

  it("cuts off a client that trickles its body", async () => {
    const { closed } = hold(
      "POST /slack/commands HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
        "Content-Length: 1000\r\n\r\ntext=9"
    )
    const { ms } = await closed
    expect(ms).toBeLessThan(4_000)
  })

  it("refuses connections past the cap and serves those within it", async () => {
    const held = [hold(""), hold(""), hold("")]
    await Promise.all(held.map((connection) => connection.connected))
    await new Promise((resolve) => setTimeout(resolve, 50))
    const extra = hold("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    const refused = await extra.closed
    expect(refused.answered).toBe("")
    for (const connection of held) connection.socket.destroy()
    await Promise.all(held.map((connection) => connection.closed))
    const response = await fetch(`${app.url}/healthz`)
    expect(response.status).toBe(200)
  })
})
