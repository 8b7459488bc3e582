import * as Http from "node:http"
import type { AddressInfo } from "node:net"

/** One scripted answer: a status with headers and body (perhaps `delayMs` late), a dropped connection, or a body that
 * stops arriving. */
export type Answer =
  | {
    readonly status: number
    readonly headers?: Record<string, string>
    readonly body?: unknown
    readonly delayMs?: number
  }
  | "drop"
  | "stall-body"

/**
 * A real HTTP server on 127.0.0.1 (random port) answering register_pds from a script, one answer per request
 * (the last repeats), recording when each request arrived.
 */
export const scriptedServer = async (answers: ReadonlyArray<Answer>) => {
  const arrivals: Array<number> = []
  const server = Http.createServer((request, response) => {
    request.resume()
    request.on("end", () => {
      arrivals.push(performance.now())
      const answer = answers[Math.min(arrivals.length, answers.length) - 1]!
      if (answer === "drop") {
        request.socket.destroy()
        return
      }
      if (answer === "stall-body") {
        response.writeHead(200, { "content-type": "application/json", "content-length": "100" })
        response.write("{\"patient_id\":")
        return
      }
      const respond = () => {
        response.writeHead(answer.status, { "content-type": "application/json", ...answer.headers })
        response.end(JSON.stringify(answer.body ?? {}))
      }
      if (answer.delayMs === undefined) respond()
      else setTimeout(respond, answer.delayMs)
    })
  })
  let connections = 0
  server.on("connection", () => connections++)
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    arrivals,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
