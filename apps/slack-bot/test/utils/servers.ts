/**
 * Local HTTP servers for the end-to-end tests, on 127.0.0.1 and free ports:
 * - a receiver standing in for Slack's `response_url`, recording every POST;
 * - a Hero harness: the sandbox served by `NodeSandboxServer`, whose scenario (fault script, rate limit, delay,
 *   no answer) can be reset, counting and recording the register_pds calls it sees.
 */
import * as NodeSandboxServer from "@hero-pds/sandbox/NodeSandboxServer"
import type * as Sandbox from "@hero-pds/sandbox/Sandbox"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"

export interface Posted {
  readonly path: string
  readonly contentType: string | undefined
  readonly body: Record<string, any>
}

export interface Receiver {
  readonly origin: string
  readonly url: (path?: string) => string
  readonly posts: Array<Posted>
  /** The next POST not yet taken, waiting up to `timeoutMs`. */
  readonly next: (timeoutMs?: number) => Promise<Posted>
  /** Answer the next `n` POSTs with `status` (to test retries). */
  readonly failNext: (n: number, status: number) => void
  readonly close: () => Promise<void>
}

export const startReceiver = async (): Promise<Receiver> => {
  const posts: Array<Posted> = []
  let taken = 0
  let failures: { n: number; status: number } = { n: 0, status: 500 }
  const waiters: Array<() => void> = []
  const server = Http.createServer((request, response) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      if (failures.n > 0) {
        failures = { n: failures.n - 1, status: failures.status }
        response.writeHead(failures.status).end("fail")
        return
      }
      posts.push({
        path: request.url ?? "",
        contentType: request.headers["content-type"],
        body: JSON.parse(Buffer.concat(chunks).toString("utf8"))
      })
      response.writeHead(200, { "content-type": "text/plain" }).end("ok")
      waiters.splice(0).forEach((wake) => wake())
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const next = async (timeoutMs = 10_000): Promise<Posted> => {
    const deadline = Date.now() + timeoutMs
    while (posts.length <= taken) {
      const remaining = deadline - Date.now()
      if (remaining <= 0) throw new Error("No follow-up POST arrived in time")
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining)
        waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
    return posts[taken++]!
  }
  return {
    origin,
    url: (path = "/commands/T/1/abc") => `${origin}${path}`,
    posts,
    next,
    failNext: (n, status) => (failures = { n, status }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/** One register_pds call as Hero saw it. */
export interface HeroCall {
  readonly practiceGroupId: string | undefined
  readonly apiKey: string | undefined
  readonly correlationId: string | undefined
}

/** How Hero behaves after a reset: the sandbox's options, plus a delay before each answer, or no answer at all. */
export interface HeroScenario extends Sandbox.Options {
  readonly delayMs?: number | undefined
  readonly hang?: boolean | undefined
}

export interface HeroHarness {
  readonly url: string
  /** A fresh sandbox with this scenario (rate limit off unless given). */
  readonly reset: (scenario?: HeroScenario) => Promise<void>
  /** register_pds calls since the last reset. */
  readonly requests: () => number
  readonly calls: Array<HeroCall>
  /** The most register_pds calls in flight at once since the last reset. */
  readonly maxInFlight: () => number
  readonly close: () => Promise<void>
}

/**
 * Hero on 127.0.0.1: the real sandbox (`NodeSandboxServer`), behind a small front server that counts and records
 * the register_pds calls (and how many are in flight at once), and can delay them or never answer.
 */
export const startHeroHarness = async (): Promise<HeroHarness> => {
  let sandbox = await NodeSandboxServer.start({ rateLimit: false })
  let scenario: HeroScenario = {}
  let inFlight = 0
  let maxInFlight = 0
  const calls: Array<HeroCall> = []
  const header = (request: Http.IncomingMessage, name: string) => {
    const value = request.headers[name]
    return typeof value === "string" ? value : undefined
  }
  const server = Http.createServer((request, response) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", async () => {
      const counted = request.url?.startsWith("/v1/") === true
      if (counted) {
        calls.push({
          practiceGroupId: header(request, "x-practice-group-id"),
          apiKey: header(request, "x-api-key"),
          correlationId: header(request, "x-correlation-id")
        })
        maxInFlight = Math.max(maxInFlight, ++inFlight)
      }
      const done = () => {
        if (counted) inFlight--
      }
      response.on("close", done)
      if (scenario.hang === true) return
      if (scenario.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, scenario.delayMs))
      try {
        const answer = await fetch(`${sandbox.url}${request.url}`, {
          method: request.method ?? "GET",
          headers: Object.entries(request.headers).flatMap(([name, value]) =>
            typeof value === "string" && /^(x-|content-type$|user-agent$|accept$)/.test(name)
              ? [[name, value] as [string, string]]
              : []
          ),
          ...(request.method === "POST" ? { body: Buffer.concat(chunks) } : {})
        })
        const body = Buffer.from(await answer.arrayBuffer())
        response.writeHead(
          answer.status,
          Object.fromEntries(
            [...answer.headers].filter(([name]) =>
              name === "content-type" || name.startsWith("x-") || name.startsWith("retry-")
            )
          )
        ).end(body)
      } catch {
        request.socket.destroy()
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    reset: async ({ delayMs, hang, ...options } = {}) => {
      await sandbox.close()
      sandbox = await NodeSandboxServer.start({ rateLimit: false, ...options })
      scenario = { delayMs, hang }
      calls.length = 0
      maxInFlight = inFlight
    },
    requests: () => calls.length,
    calls,
    maxInFlight: () => maxInFlight,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await sandbox.close()
    }
  }
}
