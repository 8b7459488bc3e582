import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HeroClient from "@hero-pds/core/HeroClient"
import * as HeroConfig from "@hero-pds/core/HeroConfig"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
const answer = JSON.stringify({ patient_id: "98765" })
const stub = HttpClient.make((request) =>
  Effect.sync(() => HttpClientResponse.fromWeb(request, new Response(answer, { status: 200 })))
)
const rt = ManagedRuntime.make(
  Layer.mergeAll(
    HeroClient.layer.pipe(
      Layer.provide(HeroConfig.layer({ apiKey: "k", practiceGroupId: "g", baseUrl: "http://127.0.0.1:1" }))
    ),
    Layer.setTracerEnabled(false),
    Layer.locallyScoped(HttpClient.currentTracerPropagation, false)
  ).pipe(Layer.provideMerge(Layer.succeed(HttpClient.HttpClient, stub)))
)
const hero = await rt.runPromise(HeroClient.HeroClient)
const req = HttpClientRequest.post("http://127.0.0.1:1/v1/patients/register_pds")
const body = { nhs_number: "9000000009", dob: "2010-10-22" }
const input = { nhsNumber: "9000000009", dob: "2010-10-22" }
const variants0 = {
  stubRaw: () => Effect.flatMap(stub.execute(HttpClientRequest.bodyUnsafeJson(req, body)), (r) => r.text),
  stubTimeout: () =>
    Effect.flatMap(stub.execute(HttpClientRequest.bodyUnsafeJson(req, body)), (r) => r.text).pipe(
      Effect.timeout("10 seconds")
    ),
  hero: () => hero.registerPds(input)
}
const variants = { hero: variants0.hero }
for (let round = 0; round < 3; round++) {
  for (const [name, make] of Object.entries(variants)) {
    const N = 30000
    const t = performance.now()
    for (let i = 0; i < N; i++) await rt.runPromise(make())
    console.log(round, name, ((performance.now() - t) / N * 1000).toFixed(1), "us")
  }
}
await rt.dispose()
