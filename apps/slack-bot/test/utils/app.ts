/**
 * The Node server (`NodeServer.layer`, as the Node entry runs it) started in-process on 127.0.0.1 and a free
 * port, with its JSON log lines captured.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import * as NodeServer from "../../src/NodeServer.js"
import * as SlackConfig from "../../src/SlackConfig.js"
import type { Signed } from "./slack.js"

export interface RunningApp {
  readonly url: string
  readonly lines: Array<string>
  readonly post: (signed: Signed) => Promise<{ readonly status: number; readonly text: string; readonly ms: number }>
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
