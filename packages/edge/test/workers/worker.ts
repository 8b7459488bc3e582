/**
 * The Worker the workerd tests run: bundled with esbuild from the BUILT `@hero-pds/edge` (the package's `dist`,
 * through its `workerd` export condition), configured from `env` bindings like a real deployment.
 *
 * `POST /register` with `{ input, options?, shared? }` registers through a client made for this request from
 * `env` (closed after the response with `ctx.waitUntil`), or with `shared: true` through one client made once per
 * isolate and reused by every request. `POST /hostile` with a `HostileCall` runs one call of the hostile suite.
 */
import type { Options, PromiseClient } from "@hero-pds/edge"
import { createHeroClient, Registered, VerificationRequired } from "@hero-pds/edge"
import { type HostileCall, promiseRunner } from "../../../core/test/utils/hostileRunner.js"
import { toOutcome } from "../utils/scenario.js"

interface Env {
  readonly HERO_API_KEY: string
  readonly HERO_PRACTICE_GROUP_ID: string
  readonly HERO_BASE_URL: string
  readonly HERO_MAX_RETRIES?: string
}

interface Body {
  readonly input: never
  readonly options?: Options
  readonly shared?: boolean
}

interface Context {
  readonly waitUntil: (promise: Promise<unknown>) => void
}

let shared: PromiseClient | undefined

const isResult = (u: unknown) => u instanceof Registered || u instanceof VerificationRequired

export default {
  async fetch(request: Request, env: Env, ctx: Context): Promise<Response> {
    const url = new URL(request.url)
    if (url.pathname === "/runtime") {
      return Response.json({ process: typeof (globalThis as { process?: unknown }).process })
    }
    if (url.pathname === "/hostile" && request.method === "POST") {
      return Response.json(await promiseRunner(createHeroClient)(await request.json() as HostileCall))
    }
    if (url.pathname !== "/register" || request.method !== "POST") return new Response("Not found", { status: 404 })
    const body = await request.json() as Body
    let client: PromiseClient | undefined
    const outcome = await toOutcome(() => {
      if (body.shared === true) {
        client = shared ??= createHeroClient({}, env)
      } else {
        client = createHeroClient({
          apiKey: env.HERO_API_KEY,
          practiceGroupId: env.HERO_PRACTICE_GROUP_ID,
          baseUrl: env.HERO_BASE_URL,
          ...body.options
        })
      }
      return client.registerPds(body.input)
    }, isResult)
    if (body.shared !== true && client !== undefined) ctx.waitUntil(client.close())
    return Response.json(outcome)
  }
}
