/**
 * The built Node entry (`node dist/NodeMain.js`, what `pnpm start` runs) as a child process: configured from the
 * environment, against the embedded Hero sandbox, with its stdout and stderr checked line by line.
 */
import { fileURLToPath } from "node:url"
import { afterEach, describe, expect, it } from "vitest"
import { expectClean, expectJsonLines } from "./utils/privacy.js"
import { cleanEnv, killAll, spawnNode, waitFor } from "./utils/processes.js"
import { startReceiver } from "./utils/servers.js"
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
      const port = await waitFor(() =>
        app.stdout.map((line) => JSON.parse(line)).find((line) => line.event === "listening")?.port as
          | number
          | undefined
      )
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

  it("fails fast on bad configuration, naming the variable", async () => {
    const cases: ReadonlyArray<readonly [Record<string, string>, string]> = [
      [{ SLACK_ALLOWED_TEAM_IDS: Slack.team, HERO_ENV: "sandbox" }, "SLACK_SIGNING_SECRET"],
      [{ SLACK_SIGNING_SECRET: Slack.secret, HERO_ENV: "sandbox" }, "SLACK_ALLOWED_TEAM_IDS"],
      [
        { SLACK_SIGNING_SECRET: Slack.secret, SLACK_ALLOWED_TEAM_IDS: "not a team", HERO_ENV: "sandbox" },
        "SLACK_ALLOWED_TEAM_IDS"
      ],
      [
        {
          SLACK_SIGNING_SECRET: Slack.secret,
          SLACK_ALLOWED_TEAM_IDS: Slack.team,
          SLACK_RESPONSE_URL_ORIGINS: "http://evil.example"
        },
        "SLACK_RESPONSE_URL_ORIGINS"
      ],
      [{ SLACK_SIGNING_SECRET: Slack.secret, SLACK_ALLOWED_TEAM_IDS: Slack.team }, "HERO_API_KEY"],
      [
        { SLACK_SIGNING_SECRET: Slack.secret, SLACK_ALLOWED_TEAM_IDS: Slack.team, HERO_ENV: "sandbox", PORT: "http" },
        "PORT"
      ]
    ]
    await Promise.all(cases.map(async ([env, variable]) => {
      const app = run({ PORT: "0", HOST: "127.0.0.1", ...env })
      expect(await app.exited, variable).not.toBe(0)
      const output = [...app.stdout, ...app.stderr].join("\n")
      expect(output, variable).toContain(variable)
      expect(output).not.toContain(Slack.secret)
    }))
  })
})
