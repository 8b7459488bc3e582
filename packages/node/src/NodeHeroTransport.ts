/**
 * `HeroTransport` on undici: each attempt is one `dispatch` on a keep-alive dispatcher, bounded whole by one timer
 * (connect, headers and body), its body capped at 64 KiB while it streams in and again after decompression, and
 * never redirected. By default `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` are honoured (undici's `EnvHttpProxyAgent`
 * when one is set, a plain `Agent` otherwise); any undici `Dispatcher` may be given instead.
 *
 * @since 0.2.0
 */
import * as HeroTransport from "@hero-pds/core/HeroTransport"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Zlib from "node:zlib"
import { Agent, type Dispatcher, EnvHttpProxyAgent } from "undici"

const cap = HeroTransport.maxBodyBytes

const decompressors: Readonly<Record<string, (buffer: Buffer, options: Zlib.ZlibOptions) => Buffer>> = {
  gzip: Zlib.gunzipSync,
  "x-gzip": Zlib.gunzipSync,
  deflate: Zlib.inflateSync,
  br: Zlib.brotliDecompressSync
}

/** Inflates a body the server compressed (unasked), refusing more than the cap of output. */
const inflate = (body: Buffer, encoding: string | undefined): Buffer | undefined => {
  const decompress = encoding === undefined ? undefined : decompressors[encoding.trim().toLowerCase()]
  if (decompress === undefined) return body
  try {
    return decompress(body, { maxOutputLength: cap })
  } catch {
    return undefined
  }
}

/** undici's raw headers (name, value, name, value, ...) as the few the client reads. */
const headersOf = (raw: ReadonlyArray<Buffer | string>) => {
  const wanted: Record<string, string> = {}
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString().toLowerCase()
    if (
      name === "content-encoding" || name === "content-length" ||
      (HeroTransport.responseHeaders as ReadonlyArray<string>).includes(name)
    ) {
      wanted[name] = raw[i + 1]!.toString()
    }
  }
  return wanted
}

/**
 * A transport over an undici dispatcher (an `Agent`, a `Pool`, a `ProxyAgent`, a `MockAgent`...). The dispatcher is
 * the caller's to close.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (dispatcher: Dispatcher): HeroTransport.Service => {
  let lastUrl = ""
  let target = { origin: "", path: "" }
  return HeroTransport.make((request, done) => {
    if (request.url !== lastUrl) {
      const url = new URL(request.url)
      target = { origin: url.origin, path: url.pathname + url.search }
      lastUrl = request.url
    }
    let finished = false
    let abortRequest: ((error: Error) => void) | undefined
    let status = 0
    let headers: Record<string, string> = {}
    let chunks: Array<Buffer> = []
    let size = 0
    const finish = (outcome: Either.Either<HeroTransport.Response, HeroTransport.TransportFailure>, abort = false) => {
      if (finished) return
      finished = true
      clearTimeout(timer)
      chunks = []
      if (abort) abortRequest?.(new Error("aborted by @hero-pds/node"))
      done(outcome)
    }
    const fail = (reason: HeroTransport.TransportFailure["reason"], detail: string, abort: boolean) =>
      finish(Either.left(new HeroTransport.TransportFailure({ reason, detail, status })), abort)
    const timer = setTimeout(() => fail("Timeout", "no complete response within the timeout", true), request.timeout)

    const handler: Dispatcher.DispatchHandler = {
      onConnect: (abort) => {
        abortRequest = abort
        if (finished) abort(new Error("aborted by @hero-pds/node"))
      },
      onHeaders: (statusCode, rawHeaders) => {
        if (statusCode < 200) return true
        status = statusCode
        headers = headersOf(rawHeaders as ReadonlyArray<Buffer>)
        if (Number(headers["content-length"]) > cap) fail("TooLarge", "body over 64 KiB", true)
        return true
      },
      onData: (chunk) => {
        if (finished) return false
        size += chunk.byteLength
        if (size > cap) fail("TooLarge", "body over 64 KiB", true)
        else chunks.push(chunk)
        return true
      },
      onComplete: () => {
        if (finished) return
        const body = inflate(
          chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size),
          headers["content-encoding"]
        )
        if (body === undefined) return fail("TooLarge", "body over 64 KiB once decompressed", false)
        finish(
          Either.right({
            status,
            headers: HeroTransport.pickHeaders((name) => headers[name]),
            body: body.toString("utf8")
          })
        )
      },
      onError: (error) => fail("Network", (error as { code?: string }).code ?? error.name, false)
    }
    dispatcher.dispatch(
      { origin: target.origin, path: target.path, method: "POST", headers: request.headers, body: request.body },
      handler
    )
    return () => fail("Network", "interrupted", true)
  })
}

/**
 * The dispatcher's options.
 *
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /**
   * Any undici dispatcher (an `Agent` with its own TLS settings, a `ProxyAgent`, a `MockAgent`...), left open when
   * the layer is released. Default: a new one honouring `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY`, closed with the
   * layer.
   */
  readonly dispatcher?: Dispatcher | undefined
}

/** The variables undici's `EnvHttpProxyAgent` reads a proxy from. */
const proxyVariables = ["https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY"] as const

/**
 * The default dispatcher: an `EnvHttpProxyAgent` when a proxy variable is set (it reads `NO_PROXY` once, here), else
 * a plain `Agent`, which is what `EnvHttpProxyAgent` would dispatch to anyway, without parsing the URL on every call.
 */
const defaultDispatcher = (env: NodeJS.ProcessEnv): Dispatcher =>
  proxyVariables.some((name) => env[name])
    ? new EnvHttpProxyAgent({ noProxy: env.no_proxy ?? env.NO_PROXY ?? "" })
    : new Agent()

/**
 * {@link make} over the given dispatcher, or over a dedicated one destroyed with the layer: an `EnvHttpProxyAgent`
 * when `HTTPS_PROXY`/`HTTP_PROXY` is set, else an `Agent`.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<HeroTransport.HeroTransport> =>
  Layer.scoped(
    HeroTransport.HeroTransport,
    options.dispatcher === undefined
      ? Effect.map(
        Effect.acquireRelease(
          Effect.sync(() => defaultDispatcher(process.env)),
          (dispatcher) => Effect.promise(() => dispatcher.destroy())
        ),
        make
      )
      : Effect.succeed(make(options.dispatcher))
  )
