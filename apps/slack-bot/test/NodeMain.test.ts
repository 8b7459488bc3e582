/**
 * The built Node entry (`node dist/NodeMain.js`, what `pnpm start` runs) as a child process: configured from the
 * environment, against the embedded Hero sandbox, with its stdout and stderr checked line by line.
 */
import * as Net from "node:net"
import { fileURLToPath } from "node:url"
import { afterEach, describe, expect, it } from "vitest"
import * as Node from "../src/internal/node.js"
import { appEnv } from "./utils/app.js"
import { expectClean, expectJsonLines } from "./utils/privacy.js"
import { cleanEnv, killAll, listeningPort, spawnNode, waitFor } from "./utils/processes.js"
import { startHeroHarness, startReceiver } from "./utils/servers.js"
import * as Slack from "./utils/slack.js"

const root = fileURLToPath(new URL("..", import.meta.url))

afterEach(killAll)

const run = (env: Record<string, string>) => spawnNode(["dist/NodeMain.js"], { cwd: root, env: cleanEnv(env) })

describe("Node entry (dist/NodeMain.js)", () => {
  it("serves on PORT against the embedded sandbox: signed command, ack, follow-up, clean JSON logs", async () => {
    const receiver = await startReceiver()
    try {
      const app = run({
        PORT: "0",
        HOST: "127.0.0.1",
        SLACK_SIGNING_SECRET: Slack.secret,
        SLACK_ALLOWED_TEAM_IDS: Slack.team,
        SLACK_RESPONSE_URL_ORIGINS: receiver.origin,
        AUDIT_HASH_KEY: Slack.auditHashKey,
        HERO_ENV: "sandbox"
      })
      const port = await listeningPort(app)
      const signed = Slack.signedCommand({ text: "900 000 0009 22/10/2010", responseUrl: receiver.url() })
      const ack = await fetch(`http://127.0.0.1:${port}/slack/commands`, {
        method: "POST",
        headers: signed.headers,
        body: signed.body
      })
      expect(ack.status).toBe(200)
      expect(await ack.json()).toMatchObject({ text: "Tracing *** *** 0009 on PDS…" })
      const followUp = await receiver.next()
      expect(followUp.body.text).toBe("Registered *** *** 0009 with Hero")
      expect(JSON.stringify(followUp.body)).toContain("98765")
      await waitFor(() => app.stdout.find((line) => line.includes("\"follow_up\"")))
      app.child.kill("SIGTERM")
      expect(await app.exited).not.toBeNull()
      const lines = [...app.stdout, ...app.stderr]
      const parsed = expectJsonLines(lines)
      expect(parsed.some((line) => line.event === "registration" && line.outcome === "Registered")).toBe(true)
      expectClean(lines, {
        nhsNumbers: ["9000000009"],
        dobs: ["2010-10-22"],
        secrets: [Slack.secret, "sandbox-api-key"]
      })
    } finally {
      await receiver.close()
    }
  })

  it("names every missing or invalid variable at once, and why the server could not listen", async () => {
    const fatal = async (env: Record<string, string>) => {
      const app = run({ PORT: "0", HOST: "127.0.0.1", ...env })
      expect(await app.exited).not.toBe(0)
      const line = [...app.stdout, ...app.stderr].map((text) => JSON.parse(text)).find((entry) =>
        entry.event === "startup_failed"
      )
      expect(line.level).toBe("FATAL")
      return line.message as string
    }
    const everything = await fatal({ HERO_TIMEOUT_MS: "soon", PORT: "http" })
    expect(everything).toMatch(/^Invalid configuration: /)
    for (
      const name of ["PORT", "SLACK_SIGNING_SECRET", "SLACK_ALLOWED_TEAM_IDS", "AUDIT_HASH_KEY", "HERO_API_KEY"]
    ) {
      expect(everything, name).toContain(name)
    }
    const invalid = await fatal({
      SLACK_SIGNING_SECRET: Slack.secret,
      SLACK_ALLOWED_TEAM_IDS: "not a team",
      SLACK_RESPONSE_URL_ORIGINS: "http://evil.example",
      AUDIT_HASH_KEY: Slack.auditHashKey,
      HERO_ENV: "sandbox"
    })
    expect(invalid).toContain("SLACK_ALLOWED_TEAM_IDS")
    expect(invalid).toContain("SLACK_RESPONSE_URL_ORIGINS")
    expect(invalid).not.toContain(Slack.secret)
    expect(invalid).not.toContain(Slack.auditHashKey)
    const valid = {
      SLACK_SIGNING_SECRET: Slack.secret,
      SLACK_ALLOWED_TEAM_IDS: Slack.team,
      AUDIT_HASH_KEY: Slack.auditHashKey,
      HERO_ENV: "sandbox"
    }
    const taken = Net.createServer()
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve))
    try {
      const port = (taken.address() as Net.AddressInfo).port
      expect(await fatal({ ...valid, PORT: String(port) })).toBe(
        `Could not start the server: port ${port} is already in use on 127.0.0.1 (EADDRINUSE): stop the other ` +
          "server or set PORT"
      )
    } finally {
      taken.close()
    }
    expect(await fatal({ ...valid, HOST: "192.0.2.1" })).toContain(
      "HOST 192.0.2.1 is not an address of this machine (EADDRNOTAVAIL)"
    )
    expect(await fatal({ ...valid, HOST: "no-such-host.invalid" })).toMatch(
      /HOST no-such-host\.invalid could not be resolved \((ENOTFOUND|EAI_AGAIN)\)/
    )
  })

  it("explains a privileged port (EACCES), which root on this machine cannot show", () => {
    expect(
      Node.listenFailure(Object.assign(new Error("listen EACCES"), { code: "EACCES" }), { host: "0.0.0.0", port: 80 })
    )
      .toBe(
        "not allowed to listen on 0.0.0.0:80 (EACCES): ports below 1024 need privileges; set PORT to 1024 or more " +
          "and put a proxy in front"
      )
  })

  it("shuts down within 10 s whatever is queued: every command gets a final 'try again' follow-up", async () => {
    const receiver = await startReceiver()
    const hero = await startHeroHarness()
    try {
      await hero.reset({ hang: true })
      const app = run({
        PORT: "0",
        HOST: "127.0.0.1",
        ...appEnv({ heroUrl: hero.url, receiverOrigin: receiver.origin }),
        HERO_MAX_CONCURRENCY: "2",
        HERO_DEADLINE_MS: "60000"
      })
      const port = await listeningPort(app)
      const commands = 12
      for (let i = 0; i < commands; i++) {
        const signed = Slack.signedCommand({
          text: "900 000 0009 22/10/2010",
          responseUrl: receiver.url(`/r/${i}`),
          user: `USTOP${i}`
        })
        const ack = await fetch(`http://127.0.0.1:${port}/slack/commands`, {
          method: "POST",
          headers: signed.headers,
          body: signed.body
        })
        expect((await ack.json()).text).toBe("Tracing *** *** 0009 on PDS…")
      }
      await waitFor(() => hero.requests() === 2 ? true : undefined)
      const stopping = Date.now()
      app.child.kill("SIGTERM")
      await app.exited
      expect(Date.now() - stopping).toBeLessThan(10_000)
      expect(receiver.posts).toHaveLength(commands)
      expect(new Set(receiver.posts.map((post) => post.body.text))).toEqual(
        new Set(["The app restarted before your lookup finished (*** *** 0009)"])
      )
      expect(hero.requests()).toBe(2)
    } finally {
      await receiver.close()
      await hero.close()
    }
  }, 30_000)
})
