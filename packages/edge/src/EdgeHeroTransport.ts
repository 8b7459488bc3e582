/**
 * `HeroTransport` over `fetch`, for Workers, Vercel Edge, Deno and browsers: `redirect: "manual"` (a 3xx comes back as
 * it is), one timer that aborts the whole attempt (headers and body), and the body read as a stream, cancelled as
 * soon as it passes 64 KiB (counted after the runtime's decompression).
 *
 * @since 0.2.0
 */
import * as HeroTransport from "@hero-pds/core/HeroTransport"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"

const failure = (reason: HeroTransport.TransportFailure["reason"], detail: string, status?: number) =>
  Either.left(new HeroTransport.TransportFailure({ reason, detail, status }))

/**
 * A transport over `fetch` (by default `globalThis.fetch`, looked up per request, so as the runtime provides it).
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (fetch?: typeof globalThis.fetch): HeroTransport.Service =>
  HeroTransport.make((request, done) => {
    const controller = new AbortController()
    let finished = false
    const finish = (outcome: Either.Either<HeroTransport.Response, HeroTransport.TransportFailure>) => {
      if (finished) return
      finished = true
      clearTimeout(timer)
      controller.abort()
      done(outcome)
    }
    const timer = setTimeout(
      () => finish(failure("Timeout", "no complete response within the timeout")),
      request.timeout
    )
    ;(fetch ?? globalThis.fetch)(request.url, {
      method: "POST",
      headers: request.headers,
      body: request.body,
      redirect: "manual",
      signal: controller.signal
    }).then(async (response) => {
      const body = await HeroTransport.readBody(response.body)
      finish(
        body === undefined
          ? failure("TooLarge", "body over 64 KiB", response.status)
          : Either.right({
            status: response.status,
            headers: HeroTransport.pickHeaders((name) => response.headers.get(name)),
            body
          })
      )
    }).catch((error: unknown) => finish(failure("Network", error instanceof Error ? error.name : "fetch failed")))
    return () => finish(failure("Network", "interrupted"))
  })

/**
 * {@link make} as a layer.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (fetch?: typeof globalThis.fetch): Layer.Layer<HeroTransport.HeroTransport> =>
  Layer.succeed(HeroTransport.HeroTransport, make(fetch))
