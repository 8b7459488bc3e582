import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as HeroConfig from "../src/HeroConfig.js"
import * as HeroError from "../src/HeroError.js"
import * as PromiseClient from "../src/PromiseClient.js"
import * as RegisterPds from "../src/RegisterPds.js"

const jane = { nhsNumber: "9000000009", dob: "2010-10-22" }

/** An HttpClient layer answering every request with one status and body, counting builds and releases. */
const answering = (status: number, body: unknown) => {
  const lifecycle = { built: 0, released: 0, requests: 0 }
  const layer = Layer.scoped(
    HttpClient.HttpClient,
    Effect.acquireRelease(
      Effect.sync(() => {
        lifecycle.built++
        return HttpClient.make((request) =>
          Effect.sync(() => {
            lifecycle.requests++
            return HttpClientResponse.fromWeb(request, new Response(JSON.stringify(body), { status }))
          })
        )
      }),
      () => Effect.sync(() => lifecycle.released++)
    )
  )
  return { layer, lifecycle }
}

const config = PromiseClient.resolveConfig({ apiKey: "k", practiceGroupId: "pg", maxRetries: 0 })

describe("PromiseClient", () => {
  it("resolves with the result", async () => {
    const { layer } = answering(200, { patient_id: 7 })
    const client = PromiseClient.make(config, layer)
    await expect(client.registerPds(jane)).resolves.toEqual(new RegisterPds.Registered({ patientId: "7" }))
    await client.close()
  })

  it("rejects with the HeroError instance itself, not a FiberFailure", async () => {
    const { layer } = answering(404, {})
    const client = PromiseClient.make(config, layer)
    const error = await client.registerPds(jane).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HeroError.PatientNotFound)
    expect(error).toBeInstanceOf(Error)
    expect(error).toMatchObject({ _tag: "PatientNotFound", status: 404, attempts: 1 })
    expect(Object.keys(error as object)).not.toContain("cause")
    await client.close()
  })

  it("rejects invalid input as InvalidInput without a request", async () => {
    const { layer, lifecycle } = answering(200, { patient_id: 1 })
    const client = PromiseClient.make(config, layer)
    await expect(client.registerPds({ nhsNumber: "123 456 7891", dob: "1992-01-01" })).rejects.toBeInstanceOf(
      HeroError.InvalidInput
    )
    expect(lifecycle.requests).toBe(0)
    await client.close()
  })

  it("builds its HTTP layer once for all calls and releases it on close", async () => {
    const { layer, lifecycle } = answering(200, { patient_id: 1 })
    const client = PromiseClient.make(config, layer)
    await Promise.all([client.registerPds(jane), client.registerPds(jane), client.registerPds(jane)])
    expect(lifecycle).toEqual({ built: 1, released: 0, requests: 3 })
    await client.close()
    expect(lifecycle.released).toBe(1)
    await expect(client.registerPds(jane)).rejects.toThrow(/closed/)
  })

  it("stops a call when its signal aborts", async () => {
    const client = PromiseClient.make(config, Layer.succeed(HttpClient.HttpClient, HttpClient.make(() => Effect.never)))
    const controller = new AbortController()
    const call = client.registerPds(jane, { signal: controller.signal })
    controller.abort()
    await expect(call).rejects.toBeInstanceOf(Error)
    await client.close()
  })

  it("registerAll reads an async iterable lazily and yields every outcome in input order", async () => {
    let inFlight = 0
    let maxInFlight = 0
    let pulled = 0
    const layer = Layer.succeed(
      HttpClient.HttpClient,
      HttpClient.make((request) =>
        Effect.gen(function*() {
          inFlight++
          maxInFlight = Math.max(maxInFlight, inFlight)
          yield* Effect.sleep(5)
          inFlight--
          const body = JSON.parse(new TextDecoder().decode((request.body as { body: Uint8Array }).body))
          const status = body.dob === "2010-10-21" ? 404 : 200
          return HttpClientResponse.fromWeb(request, new Response(JSON.stringify({ patient_id: body.dob }), { status }))
        })
      )
    )
    const client = PromiseClient.make(config, layer)
    async function* inputs() {
      for (const dob of ["2010-10-22", "2010-10-21", "not a date", "2010-10-20", "2010-10-19"]) {
        pulled++
        yield { nhsNumber: "9000000009", dob }
      }
    }
    const outcomes: Array<string> = []
    for await (const settled of client.registerAll(inputs(), { concurrency: 2 })) {
      outcomes.push(`${settled.input.dob}:${settled.result?._tag ?? settled.error?._tag}`)
    }
    expect(outcomes).toEqual([
      "2010-10-22:Registered",
      "2010-10-21:PatientNotFound",
      "not a date:InvalidInput",
      "2010-10-20:Registered",
      "2010-10-19:Registered"
    ])
    expect(pulled).toBe(5)
    expect(maxInFlight).toBe(2)
    await client.close()
  })

  it("throws HeroConfigError naming the setting when the configuration cannot work", () => {
    expect(() => PromiseClient.resolveConfig({ apiKey: "k" })).toThrow(HeroConfig.HeroConfigError)
    expect(() =>
      PromiseClient.resolveConfig({ apiKey: "k" }, { HERO_PRACTICE_GROUP_ID: "pg", HERO_TIMEOUT_MS: "soon" })
    )
      .toThrow(/HERO_TIMEOUT_MS must be a whole number/)
  })
})
