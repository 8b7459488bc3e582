/**
 * `createHeroClient` on Node (undici) against the hostile server, and through a proxy.
 */
import * as Http from "node:http"
import * as Net from "node:net"
import type { AddressInfo } from "node:net"
import { Agent, type Dispatcher } from "undici"
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest"
import { hostileSuite } from "../../core/test/hostile.js"
import { hostileInput, hostileKey, promiseRunner } from "../../core/test/utils/hostileRunner.js"
import * as HostileServer from "../../core/test/utils/hostileServer.js"
import * as Hero from "../src/index.js"

let server: HostileServer.HostileServer | undefined
beforeAll(async () => {
  server = await HostileServer.start()
})
afterAll(() => server?.close())

hostileSuite("createHeroClient on Node (undici)", promiseRunner(Hero.createHeroClient), () => server!)

/** A forward proxy on 127.0.0.1: tunnels CONNECT, forwards absolute-form requests, and records what it was asked. */
const startProxy = async () => {
  const seen: Array<string> = []
  const proxy = Http.createServer((request, response) => {
    seen.push(`${request.method} ${request.url}`)
    const target = new URL(request.url ?? "")
    const forward = Http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: request.method,
        headers: request.headers
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(response)
      }
    )
    forward.on("error", () => response.destroy())
    request.pipe(forward)
  })
  proxy.on("connect", (request: Http.IncomingMessage, socket: Net.Socket, head: Buffer) => {
    seen.push(`CONNECT ${request.url}`)
    const [host, port] = (request.url ?? "").split(":")
    const upstream = Net.connect(Number(port), host, () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n")
      upstream.write(head)
      upstream.pipe(socket)
      socket.pipe(upstream)
    })
    upstream.on("error", () => socket.destroy())
    socket.on("error", () => upstream.destroy())
  })
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve))
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        proxy.closeAllConnections()
        proxy.close(() => resolve())
      })
  }
}

describe("proxies and dispatchers", () => {
  afterEach(() => {
    vi.unstubAllEnvs()
  })
  const options = (baseUrl: string) => ({ apiKey: hostileKey, practiceGroupId: "pg", baseUrl, maxRetries: 0 })

  it("sends through the proxy in HTTP_PROXY (NO_PROXY empty)", async () => {
    const proxy = await startProxy()
    vi.stubEnv("http_proxy", undefined)
    vi.stubEnv("HTTP_PROXY", proxy.url)
    vi.stubEnv("no_proxy", "")
    vi.stubEnv("NO_PROXY", "")
    const hero = Hero.createHeroClient(options(server!.recorderUrl))
    try {
      expect(await hero.registerPds(hostileInput)).toMatchObject({ _tag: "Registered" })
      const port = new URL(server!.recorderUrl).port
      expect(proxy.seen).toEqual([expect.stringMatching(new RegExp(`127\\.0\\.0\\.1:${port}`))])
    } finally {
      await hero.close()
      await proxy.close()
    }
  })

  it("goes direct to a host listed in NO_PROXY", async () => {
    const proxy = await startProxy()
    vi.stubEnv("http_proxy", undefined)
    vi.stubEnv("HTTP_PROXY", proxy.url)
    vi.stubEnv("no_proxy", undefined)
    vi.stubEnv("NO_PROXY", "127.0.0.1")
    const hero = Hero.createHeroClient(options(server!.recorderUrl))
    try {
      expect(await hero.registerPds(hostileInput)).toMatchObject({ _tag: "Registered" })
      expect(proxy.seen).toEqual([])
    } finally {
      await hero.close()
      await proxy.close()
    }
  })

  it("tunnels https: through the proxy in HTTPS_PROXY with CONNECT", async () => {
    const proxy = await startProxy()
    vi.stubEnv("https_proxy", undefined)
    vi.stubEnv("HTTPS_PROXY", proxy.url)
    vi.stubEnv("no_proxy", "")
    vi.stubEnv("NO_PROXY", "")
    // The recorder speaks plain HTTP, so TLS fails once tunnelled: what matters is that the proxy got the CONNECT.
    const port = new URL(server!.recorderUrl).port
    const hero = Hero.createHeroClient(options(`https://127.0.0.1:${port}`))
    try {
      expect(await hero.registerPds(hostileInput).catch((e: unknown) => e)).toMatchObject({ _tag: "TransportError" })
      expect(proxy.seen).toEqual([`CONNECT 127.0.0.1:${port}`])
    } finally {
      await hero.close()
      await proxy.close()
    }
  })

  it("sends through a given undici dispatcher, and leaves it open on close()", async () => {
    const agent = new Agent()
    let dispatched = 0
    const counting = agent.compose((dispatch: Dispatcher["dispatch"]) => (opts, handler) => {
      dispatched++
      return dispatch(opts, handler)
    })
    const hero = Hero.createHeroClient({ ...options(server!.recorderUrl), dispatcher: counting })
    expect(await hero.registerPds(hostileInput)).toMatchObject({ _tag: "Registered" })
    await hero.close()
    expect(dispatched).toBe(1)
    expect(agent.closed).toBe(false)
    await agent.close()
  })
})
