import * as SandboxPatients from "@hero-pds/sandbox/SandboxPatients"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"

/** Synthetic patients with valid NHS numbers, from the sandbox. */
export const syntheticPatients = SandboxPatients.synthetic

/** What a counting proxy saw for one NHS number (or `demographics`): the status of every request. */
export type Seen = Map<string, Array<number>>

/**
 * An HTTP proxy on 127.0.0.1 in front of `upstream` that records the status of each register_pds request by the
 * NHS number in its body, so tests can tell how often each patient was sent.
 */
export const countingProxy = async (upstream: string) => {
  const seen: Seen = new Map()
  const agent = new Http.Agent({ keepAlive: true })
  const target = new URL(upstream)
  const server = Http.createServer((request, response) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      const body = Buffer.concat(chunks)
      let key = "unknown"
      try {
        const json = JSON.parse(body.toString("utf8")) as { nhs_number?: string }
        key = json.nhs_number ?? "demographics"
      } catch {
        // not JSON: counted as unknown
      }
      const forward = Http.request({
        host: target.hostname,
        port: target.port,
        path: request.url,
        method: request.method,
        headers: request.headers,
        agent
      }, (answer) => {
        const statuses = seen.get(key) ?? []
        statuses.push(answer.statusCode ?? 0)
        seen.set(key, statuses)
        response.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(response)
      })
      forward.on("error", () => response.destroy())
      forward.end(body)
    })
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    /** Requests answered with anything but 429, per key. */
    answered: (key: string) => (seen.get(key) ?? []).filter((status) => status !== 429).length,
    count429: () => [...seen.values()].flat().filter((status) => status === 429).length,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/** A CSV (CRLF) of the given rows under a header. */
export const csvOf = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>) =>
  [header, ...rows].map((fields) => fields.join(",")).join("\r\n") + "\r\n"
