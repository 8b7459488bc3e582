import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Http from "node:http"
import { Agent } from "undici"
const answer = JSON.stringify({ patient_id: "98765" })
const server = Http.createServer((q, s) => {
  q.resume()
  q.on("end", () => {
    s.writeHead(200, { "content-type": "application/json", "content-length": answer.length })
    s.end(answer)
  })
})
await new Promise((r) => server.listen(0, "127.0.0.1", r))
const base = `http://127.0.0.1:${server.address().port}`
const agent = new Agent()
const lean = HttpClient.makeWith((eff) =>
  Effect.flatMap(eff, (request) =>
    Effect.async((resume, signal) => {
      const url = new URL(request.url)
      const headers = { ...request.headers }
      let body
      if (request.body._tag === "Uint8Array") {
        body = request.body.body
        headers["content-type"] = request.body.contentType
        headers["content-length"] = String(body.length)
      }
      agent.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: request.method,
        headers,
        body,
        signal
      }).then(
        (data) =>
          data.body.text().then((text) =>
            resume(
              Effect.succeed(
                HttpClientResponse.fromWeb(
                  request,
                  new Response(text, { status: data.statusCode, headers: data.headers })
                )
              )
            )
          )
      ).catch((cause) => resume(Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause }))))
    })), Effect.succeed)
const rt = ManagedRuntime.make(
  Layer.merge(
    NodeHttpClient.layerUndici,
    Layer.merge(Layer.setTracerEnabled(false), Layer.locallyScoped(HttpClient.currentTracerPropagation, false))
  )
)
const client = await rt.runPromise(HttpClient.HttpClient)
const req = HttpClientRequest.post(base + "/v1/patients/register_pds").pipe(
  HttpClientRequest.setHeaders({ "x-api-key": "k", "x-practice-group-id": "g", accept: "application/json" })
)
const body = { nhs_number: "9000000009", dob: "2010-10-22" }
const headers = { "x-api-key": "k", "x-practice-group-id": "g", "content-type": "application/json" }
const variants = {
  fetch: () =>
    Effect.promise(() =>
      fetch(base + "/v1/patients/register_pds", { method: "POST", headers, body: JSON.stringify(body) }).then((r) =>
        r.json()
      )
    ),
  platform: () => Effect.flatMap(client.execute(HttpClientRequest.bodyUnsafeJson(req, body)), (r) => r.text),
  lean: () => Effect.flatMap(lean.execute(HttpClientRequest.bodyUnsafeJson(req, body)), (r) => r.text),
  leanTimeout: () =>
    Effect.flatMap(lean.execute(HttpClientRequest.bodyUnsafeJson(req, body)), (r) => r.text).pipe(
      Effect.timeout("10 seconds")
    )
}
const order = Object.keys(variants)
const totals = Object.fromEntries(order.map((k) => [k, []]))
for (let round = 0; round < 3; round++) {
  for (const name of order) {
    const make = variants[name]
    const t = performance.now()
    let next = 0
    await Promise.all(Array.from({ length: 64 }, async () => {
      while (next++ < 10000) await rt.runPromise(make())
    }))
    totals[name].push(Math.round(performance.now() - t))
  }
}
console.log(totals)
await rt.dispose()
server.close()
await agent.close()
