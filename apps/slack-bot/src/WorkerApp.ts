/**
 * The app as a Cloudflare Workers fetch handler. Everything is built on the first request from the Worker's
 * `env` bindings (nothing runs at import time) and kept for the life of the isolate: the configuration, a Hero
 * client over `fetch` per practice, the queue, the duplicate guard. Each request's follow-up is kept alive with
 * `ctx.waitUntil`, and ends within the command's deadline (`HERO_DEADLINE_MS`, default 20 s), well inside the
 * time Workers give `waitUntil` work after the response.
 *
 * @since 0.1.0
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpApp from "@effect/platform/HttpApp"
import * as HeroClient from "@hero-pds/core/HeroClient"
import * as HeroConfig from "@hero-pds/core/HeroConfig"
import * as EdgeHeroTransport from "@hero-pds/edge/EdgeHeroTransport"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Runtime from "effect/Runtime"
import * as SlackApp from "./SlackApp.js"
import * as SlackConfig from "./SlackConfig.js"
import * as SlackLogger from "./SlackLogger.js"
import * as SlackPractices from "./SlackPractices.js"

/**
 * The part of a Worker's `ExecutionContext` the app uses.
 *
 * @since 0.1.0
 * @category models
 */
export interface ExecutionContext {
  readonly waitUntil: (promise: Promise<unknown>) => void
}

/**
 * A Worker's `fetch` handler.
 *
 * @since 0.1.0
 * @category models
 */
export type FetchHandler = (request: Request, env: object, ctx: ExecutionContext) => Promise<Response>

/**
 * Options for tests and embedding.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Where JSON log lines go (default `console.log`). */
  readonly logSink?: SlackLogger.Sink | undefined
}

interface Ready {
  readonly env: object
  readonly handle: (request: Request, context: Context.Context<never>) => Promise<Response>
  readonly runFork: (effect: Effect.Effect<void>) => Promise<void>
}

/** A Hero client over `fetch` for one practice's configuration. */
const clientLayer: SlackPractices.ClientLayer = (config) =>
  HeroClient.layerTransport.pipe(
    Layer.provide(Layer.succeed(HeroConfig.HeroConfig, config)),
    Layer.provide(EdgeHeroTransport.layer())
  )

const fatal = (sink: SlackLogger.Sink, message: string) =>
  sink(JSON.stringify({ time: new Date().toISOString(), level: "FATAL", event: "startup_failed", message }))

/**
 * Makes the fetch handler. Bad configuration answers 500 to every request and logs one line naming every
 * variable at fault (the caller never sees which).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeFetchHandler = (options: Options = {}): FetchHandler => {
  const sink = options.logSink ?? ((line: string) => console.log(line))
  let ready: Promise<Ready> | undefined
  let readyEnv: object | undefined

  const build = async (env: object): Promise<Ready> => {
    const layer = Layer.mergeAll(SlackPractices.layer, SlackApp.layerCommandQueue, FetchHttpClient.layer).pipe(
      Layer.provideMerge(Layer.succeed(SlackPractices.ClientFactory, clientLayer)),
      Layer.provideMerge(SlackConfig.layer(env as Readonly<Record<string, unknown>>)),
      Layer.provideMerge(SlackLogger.layer(sink))
    )
    const managed = ManagedRuntime.make(layer)
    const runtimeExit = await Effect.runPromiseExit(Effect.either(managed.runtimeEffect))
    if (Exit.isFailure(runtimeExit) || runtimeExit.value._tag === "Left") {
      const error = Exit.isSuccess(runtimeExit) && runtimeExit.value._tag === "Left"
        ? runtimeExit.value.left
        : undefined
      await managed.dispose()
      throw error !== undefined && ConfigError.isConfigError(error)
        ? new Error(HeroConfig.HeroConfigError.fromConfigError(error).message)
        : new Error("Could not start the app")
    }
    const runtime = runtimeExit.value.right
    const app = await Runtime.runPromise(runtime)(SlackApp.make)
    // `FollowUps` is not in the runtime: each request brings its own (its `ctx.waitUntil`) in the context below.
    const handle = HttpApp.toWebHandlerRuntime(runtime)(app as HttpApp.Default<never, never>)
    return {
      env,
      handle,
      runFork: (effect) => Runtime.runPromise(runtime)(effect)
    }
  }

  return async (request, env, ctx) => {
    if (ready === undefined || readyEnv !== env) {
      readyEnv = env
      ready = build(env)
    }
    let app: Ready
    try {
      app = await ready
    } catch (error) {
      ready = undefined
      fatal(sink, error instanceof Error ? error.message : "Could not start the app")
      return new Response("Internal Server Error", { status: 500 })
    }
    const followUps: SlackApp.FollowUpRunner = {
      run: (effect) => Effect.sync(() => ctx.waitUntil(app.runFork(effect)))
    }
    return app.handle(request, Context.make(SlackApp.FollowUps, followUps) as Context.Context<never>)
  }
}
