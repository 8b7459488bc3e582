/**
 * The hostile suite against core's own `HeroTransport.layerHttpClient`, over `@effect/platform`'s `FetchHttpClient`
 * (Node's fetch): what an Effect user who brings their own `HttpClient` gets.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Layer from "effect/Layer"
import { afterAll, beforeAll } from "vitest"
import * as HeroTransport from "../src/HeroTransport.js"
import * as PromiseClient from "../src/PromiseClient.js"
import { hostileSuite } from "./hostile.js"
import { promiseRunner } from "./utils/hostileRunner.js"
import * as HostileServer from "./utils/hostileServer.js"

let server: HostileServer.HostileServer | undefined
beforeAll(async () => {
  server = await HostileServer.start()
})
afterAll(() => server?.close())

hostileSuite(
  "HeroTransport.layerHttpClient over FetchHttpClient",
  promiseRunner((options) =>
    PromiseClient.make(
      PromiseClient.resolveConfig(options),
      Layer.provide(HeroTransport.layerHttpClient, FetchHttpClient.layer)
    )
  ),
  () => server!
)
