/**
 * The Node server (`NodeServer.layer`, as the Node entry runs it) started in-process on 127.0.0.1 and a free
 * port, with its JSON log lines captured; and the same between a Hero harness and a `response_url` receiver.
 */
import * as Sandbox from "@hero-pds/sandbox/Sandbox"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import * as NodeServer from "../../src/NodeServer.js"
import * as SlackConfig from "../../src/SlackConfig.js"
import type { HeroHarness, Receiver } from "./servers.js"
import { startHeroHarness, startReceiver } from "./servers.js"
import * as Slack from "./slack.js"

export interface RunningApp {
  readonly url: string
  readonly lines: Array<string>
  readonly post: (
    signed: Slack.Signed
  ) => Promise<{ readonly status: number; readonly text: string; readonly ms: number }>
  readonly close: () => Promise<void>
}

/** The Node server with this environment (`SLACK_*`, `AUDIT_HASH_KEY`, `HERO_*`). */
export const startApp = async (options: {
  readonly env: Record<string, string>
  readonly drainMillis?: number
  readonly limits?: Partial<NodeServer.Limits>
}): Promise<RunningApp> => {
  const lines: Array<string> = []
  let resolvePort: (port: number) => void = () => {}
  const port = new Promise<number>((resolve) => (resolvePort = resolve))
  const sink = (line: string) => {
    lines.push(line)
    const parsed = JSON.parse(line) as { event?: string; port?: number }
    if (parsed.event === "listening" && parsed.port !== undefined) resolvePort(parsed.port)
  }
  const scope = Effect.runSync(Scope.make())
  const exit = await Effect.runPromiseExit(
    Layer.buildWithScope(
      NodeServer.layer({
        port: 0,
        host: "127.0.0.1",
        config: SlackConfig.layer(options.env),
        logSink: sink,
        drainMillis: options.drainMillis,
        limits: options.limits
      }),
      scope
    )
  )
  if (Exit.isFailure(exit)) {
    await Effect.runPromise(Scope.close(scope, exit))
    throw Cause.squash(exit.cause)
  }
  const url = `http://127.0.0.1:${await port}`
  return {
    url,
    lines,
    post: async (signed) => {
      const started = performance.now()
      const response = await fetch(`${url}/slack/commands`, {
        method: "POST",
        headers: signed.headers,
        body: signed.body
      })
      const text = await response.text()
      return { status: response.status, text, ms: performance.now() - started }
    },
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

/**
 * The environment of an app between a Hero harness and a `response_url` receiver: the test's signing secret, team
 * and audit key, the sandbox's credentials, Hero at `heroUrl`, results to `receiverOrigin`.
 */
export const appEnv = (servers: { readonly heroUrl: string; readonly receiverOrigin: string }) => ({
  SLACK_SIGNING_SECRET: Slack.secret,
  SLACK_ALLOWED_TEAM_IDS: Slack.team,
  SLACK_RESPONSE_URL_ORIGINS: servers.receiverOrigin,
  AUDIT_HASH_KEY: Slack.auditHashKey,
  HERO_API_KEY: Sandbox.apiKey,
  HERO_PRACTICE_GROUP_ID: Sandbox.practiceGroupId,
  HERO_BASE_URL: servers.heroUrl
})

/** A Hero harness, a `response_url` receiver and the app between them, started and closed together. */
export interface Stack {
  readonly hero: HeroHarness
  readonly receiver: Receiver
  readonly app: RunningApp
  readonly close: () => Promise<void>
}

/** Starts a {@link Stack}; `env` adds to (or replaces) {@link appEnv}. */
export const startStack = async (
  env: (base: ReturnType<typeof appEnv>) => Record<string, string> = (base) => base
): Promise<Stack> => {
  const hero = await startHeroHarness()
  const receiver = await startReceiver()
  const app = await startApp({ env: env(appEnv({ heroUrl: hero.url, receiverOrigin: receiver.origin })) })
  return {
    hero,
    receiver,
    app,
    close: async () => {
      await app.close()
      await receiver.close()
      await hero.close()
    }
  }
}
