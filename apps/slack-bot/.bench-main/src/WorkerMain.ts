/**
 * The Cloudflare Workers entry (`main` in `wrangler.toml`): `export default { fetch(request, env, ctx) }`.
 * Nothing runs at import time; the app is built from `env` on the first request.
 *
 * @since 0.1.0
 */
import * as WorkerApp from "./WorkerApp.js"

let handler: WorkerApp.FetchHandler | undefined

/**
 * The Worker.
 *
 * @since 0.1.0
 */
export default {
  fetch(request: Request, env: object, ctx: WorkerApp.ExecutionContext): Promise<Response> {
    handler ??= WorkerApp.makeFetchHandler()
    return handler(request, env, ctx)
  }
}
