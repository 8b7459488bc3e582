/**
 * A hostile Hero on 127.0.0.1 (port 0), for the hostile suite (`../hostile.ts`): each misbehaviour is a base URL
 * prefix, so a client anywhere (Node, workerd, the edge-runtime VM) picks one by its `baseUrl` alone.
 *
 * - `/redirect-301|302|303|307`: redirects to a second server, the recorder, which records whatever reaches it;
 * - `/trickle`: headers at once, then one body byte every 400 ms;
 * - `/silent`: reads the request and never answers;
 * - `/flood`: a 2 GiB `content-length` body; `/endless`: an endless chunked body;
 * - `/gzip-bomb`: 256 KiB of gzip that inflates to 256 MiB;
 * - `/echo-key`, `/echo-all`: a 404 whose `x-request-id` echoes the API key (and the NHS number and date of birth);
 * - `/weird-2xx`: a 200 whose body is not JSON, with a content type carrying the key.
 *
 * `GET /__stats` answers `{ requests, bodyBytesSent }` (requests seen, body bytes written by flood/endless/trickle),
 * `POST /__reset` zeroes them; the recorder's `GET /__received` answers what reached it.
 */
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import * as Zlib from "node:zlib"

/** What the recorder saw of one request. */
export interface Received {
  readonly method: string
  readonly url: string
  readonly headers: Http.IncomingHttpHeaders
  readonly body: string
}

/** Where the hostile server and its recorder listen. */
export interface HostileUrls {
  readonly url: string
  readonly recorderUrl: string
}

/** A running hostile server and its recorder. */
export interface HostileServer extends HostileUrls {
  readonly close: () => Promise<void>
}

const listen = async (server: Http.Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const closeServer = (server: Http.Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections()
    server.close(() => resolve())
  })

const readBody = (request: Http.IncomingMessage) =>
  new Promise<string>((resolve) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
  })

const json = (response: Http.ServerResponse, status: number, body: unknown, headers: Http.OutgoingHttpHeaders = {}) => {
  response.writeHead(status, { "content-type": "application/json", ...headers })
  response.end(JSON.stringify(body))
}

/** 256 MiB of zeros, gzipped once (about 256 KiB). */
let bomb: Promise<Buffer> | undefined
const gzipBomb = () =>
  bomb ??= new Promise<Buffer>((resolve, reject) => {
    const gzip = Zlib.createGzip({ level: 9 })
    const chunks: Array<Buffer> = []
    gzip.on("data", (chunk: Buffer) => chunks.push(chunk))
    gzip.on("end", () => resolve(Buffer.concat(chunks)))
    gzip.on("error", reject)
    const zeros = Buffer.alloc(1 << 20)
    let left = 256
    const write = () => {
      while (left > 0) {
        left--
        if (!gzip.write(zeros)) return gzip.once("drain", write)
      }
      gzip.end()
    }
    write()
  })

/** Starts the hostile server and its recorder. */
export const start = async (): Promise<HostileServer> => {
  const received: Array<Received> = []
  const recorder = Http.createServer(async (request, response) => {
    if (request.url === "/__received") return json(response, 200, received)
    if (request.url === "/__reset") {
      received.length = 0
      return json(response, 200, {})
    }
    received.push({
      method: request.method ?? "",
      url: request.url ?? "",
      headers: request.headers,
      body: await readBody(request)
    })
    json(response, 200, { patient_id: "from-the-other-host" })
  })
  const recorderUrl = await listen(recorder)

  const stats = { requests: 0, bodyBytesSent: 0 }
  const timers = new Set<NodeJS.Timeout>()

  /** Writes chunks while the client reads, until it goes away or `total` bytes are out. */
  const flood = (response: Http.ServerResponse, total: number) => {
    const chunk = Buffer.alloc(64 * 1024, "7")
    const write = () => {
      while (!response.destroyed && stats.bodyBytesSent < total) {
        stats.bodyBytesSent += chunk.byteLength
        if (!response.write(chunk)) return response.once("drain", write)
      }
      response.end()
    }
    write()
  }

  const server = Http.createServer(async (request, response) => {
    const path = request.url ?? ""
    if (path === "/__stats") return json(response, 200, stats)
    if (path === "/__reset") {
      stats.requests = 0
      stats.bodyBytesSent = 0
      return json(response, 200, {})
    }
    stats.requests++
    const body = await readBody(request)
    const [, route = ""] = /^\/([^/]+)\//.exec(path) ?? []
    const redirect = /^redirect-(\d{3})$/.exec(route)
    if (redirect !== null) {
      response.writeHead(Number(redirect[1]), { location: `${recorderUrl}/v1/patients/register_pds` })
      return response.end()
    }
    switch (route) {
      case "trickle": {
        response.writeHead(200, { "content-type": "application/json", "content-length": "100" })
        const timer = setInterval(() => {
          if (response.destroyed) return clearInterval(timer)
          stats.bodyBytesSent++
          response.write(" ")
        }, 400)
        timers.add(timer)
        return response.write("{")
      }
      case "silent":
        return
      case "flood":
        response.writeHead(200, { "content-type": "application/json", "content-length": String(2 * 1024 ** 3) })
        return flood(response, 2 * 1024 ** 3)
      case "endless":
        response.writeHead(200, { "content-type": "application/json" })
        return flood(response, Number.POSITIVE_INFINITY)
      case "gzip-bomb": {
        const gzipped = await gzipBomb()
        response.writeHead(200, {
          "content-type": "application/json",
          "content-encoding": "gzip",
          "content-length": String(gzipped.byteLength)
        })
        return response.end(gzipped)
      }
      case "echo-key":
      case "echo-all": {
        const sent = JSON.parse(body) as { nhs_number?: string; dob?: string }
        const key = String(request.headers["x-api-key"])
        const echoed = route === "echo-key" ? key : `${key}:${sent.nhs_number}:${sent.dob}`
        return json(response, 404, { error: true }, { "x-request-id": echoed })
      }
      case "weird-2xx":
        response.writeHead(200, { "content-type": `text/x-${String(request.headers["x-api-key"])}` })
        return response.end("<html>Welcome to the proxy</html>")
    }
    json(response, 404, { error: true })
  })
  const url = await listen(server)
  return {
    url,
    recorderUrl,
    close: async () => {
      for (const timer of timers) clearInterval(timer)
      await Promise.all([closeServer(server), closeServer(recorder)])
    }
  }
}
