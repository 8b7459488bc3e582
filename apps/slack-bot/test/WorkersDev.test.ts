/**
 * The README's Workers local development, as written: wrangler.toml's `[vars]` overridden by `.dev.vars` (copied
 * from `.dev.vars.example`), the Worker in workerd, Hero the sandbox served over HTTP as `hero-pds sandbox` serves
 * it. Only the ports differ (the test takes free ones instead of 4010 and 3001). A command reaches the sandbox
 * with the sandbox's key and practice group, and is registered (not Forbidden).
 */
import * as NodeSandboxServer from "@hero-pds/sandbox/NodeSandboxServer"
import { Miniflare } from "miniflare"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, it } from "vitest"
import { bundleWorker } from "./utils/bundle.js"
import { startReceiver } from "./utils/servers.js"
import * as Slack from "./utils/slack.js"

const file = (name: string) => readFileSync(fileURLToPath(new URL(`../${name}`, import.meta.url)), "utf8")

/** `KEY = "value"` lines of wrangler.toml's `[vars]` table. */
const wranglerVars = (toml: string): Record<string, string> => {
  const table = toml.split(/^\[vars\]\s*$/m)[1]?.split(/^\[/m)[0] ?? ""
  return Object.fromEntries([...table.matchAll(/^([A-Z_]+)\s*=\s*"([^"]*)"/gm)].map((m) => [m[1]!, m[2]!]))
}

/** `KEY=value` lines of a .dev.vars file. */
const devVars = (text: string): Record<string, string> =>
  Object.fromEntries([...text.matchAll(/^([A-Z_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!.trim()]))

const closers: Array<() => Promise<unknown>> = []
afterAll(async () => {
  for (const close of closers.reverse()) await close()
})

describe("Workers local development as the README says", () => {
  it("wrangler.toml [vars] + .dev.vars.example against the sandbox: a command is registered", async () => {
    const sandbox = await NodeSandboxServer.start()
    closers.push(sandbox.close)
    const receiver = await startReceiver()
    closers.push(receiver.close)
    const vars = { ...wranglerVars(file("wrangler.toml")), ...devVars(file(".dev.vars.example")) }
    expect(vars.HERO_BASE_URL).toBe("http://127.0.0.1:4010")
    const bindings = {
      ...vars,
      HERO_BASE_URL: sandbox.url,
      SLACK_RESPONSE_URL_ORIGINS: vars.SLACK_RESPONSE_URL_ORIGINS!.replace("http://127.0.0.1:3001", receiver.origin)
    }
    const bundle = await bundleWorker(fileURLToPath(new URL("workers/worker.ts", import.meta.url)))
    const mf = new Miniflare({
      modules: [{ type: "ESModule", path: "worker.mjs", contents: bundle.code }],
      compatibilityDate: "2026-04-01",
      bindings,
      outboundService: { network: { allow: ["local"], deny: [] } }
    })
    closers.push(() => mf.dispose())
    const signed = Slack.signedCommand(
      { text: "900 000 0009 22 Oct 2010", responseUrl: receiver.url(), team: vars.SLACK_ALLOWED_TEAM_IDS! },
      { secret: vars.SLACK_SIGNING_SECRET! }
    )
    const ack = await mf.dispatchFetch("http://worker.test/slack/commands", {
      method: "POST",
      headers: signed.headers,
      body: signed.body
    })
    expect(JSON.parse(await ack.text()).text).toBe("Tracing *** *** 0009 on PDS…")
    expect((await receiver.next()).body.text).toBe("Registered *** *** 0009 with Hero")
  })
})
