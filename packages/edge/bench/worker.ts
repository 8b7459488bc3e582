/**
 * The minimal Worker `pnpm bench` measures (and `test/Bundle.test.ts` checks): it imports `@hero-pds/edge`, makes a
 * client from its `env` bindings and calls `registerPds` with the JSON body it receives.
 */
import { createHeroClient } from "@hero-pds/edge"

export default {
  async fetch(request: Request, env: Record<string, unknown>): Promise<Response> {
    const hero = createHeroClient({}, env)
    try {
      return Response.json(await hero.registerPds(await request.json()))
    } catch (error) {
      return Response.json({ error: (error as { _tag?: string })._tag ?? "Error" }, { status: 502 })
    }
  }
}
