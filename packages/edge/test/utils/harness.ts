/**
 * The sandbox as edge tests reach it (Node side): `@hero-pds/sandbox`'s own `NodeSandboxServer`, behind one stable URL
 * on 127.0.0.1 that code inside workerd or the edge-runtime VM can also use to ask for a fresh sandbox:
 *
 * - `POST /__harness/scenario` with `{ faults?, rateLimit? }`: a fresh `NodeSandboxServer` (new faults, state, counter);
 * - `GET /__harness/requests`: `{ requests }`, how many register_pds calls the current sandbox has been sent;
 * - anything else is forwarded to the current sandbox as it is (a dropped connection stays dropped).
 */
import * as RegisterPds from "@hero-pds/core/RegisterPds"
import * as NodeSandboxServer from "@hero-pds/sandbox/NodeSandboxServer"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import type { ScenarioRequest } from "./scenario.js"

/** A running harness. */
export interface Harness {
  /** `http://127.0.0.1:<port>`: the base URL clients use. */
  readonly url: string
  readonly close: () => Promise<void>
}

const body = (request: Http.IncomingMessage) =>
  new Promise<Buffer>((resolve) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => resolve(Buffer.concat(chunks)))
  })

/** Starts a harness on 127.0.0.1 and a free port. */
export const start = async (): Promise<Harness> => {
  let sandbox = await NodeSandboxServer.start()
  let requests = 0
  const agent = new Http.Agent({ keepAlive: true })

  const server = Http.createServer(async (request, response) => {
    const path = (request.url ?? "").split("?")[0]
    if (path === "/__harness/scenario" && request.method === "POST") {
      const scenario = JSON.parse((await body(request)).toString("utf8")) as ScenarioRequest
      await sandbox.close()
      sandbox = await NodeSandboxServer.start({
        faults: { script: scenario.faults ?? [] },
        ...(scenario.rateLimit === false ? { rateLimit: false } : {})
      })
      requests = 0
      response.writeHead(204).end()
      return
    }
    if (path === "/__harness/requests") {
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ requests }))
      return
    }
    if (path === RegisterPds.path) requests++
    const forward = Http.request(
      {
        host: "127.0.0.1",
        port: sandbox.port,
        path: request.url,
        method: request.method,
        headers: request.headers,
        agent
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(response)
      }
    )
    forward.on("error", () => response.socket?.destroy())
    forward.end(await body(request))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      agent.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await sandbox.close()
    }
  }
}
