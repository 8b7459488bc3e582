/**
 * The minimal Worker of `pnpm bench` (bench/worker.ts), bundled the way wrangler bundles it from the BUILT package:
 * no Node built-in anywhere in it, a gzip size under the budget, and nothing at module scope that runs an effect,
 * sets a timer, does I/O or reads the clock. (workerd also refuses timers, I/O and crypto randomness at global
 * scope, so `Workerd.test.ts` loading the Worker at all is a second proof.)
 */
import { fileURLToPath } from "node:url"
import * as vm from "node:vm"
import { beforeAll, describe, expect, it } from "vitest"
import type { WorkerBundle } from "../bench/bundle.mjs"
import { bundleWorker } from "../bench/bundle.mjs"

const entry = fileURLToPath(new URL("../bench/worker.ts", import.meta.url))
const budgetGzipBytes = 62 * 1024

let esm: WorkerBundle
let iife: WorkerBundle

beforeAll(async () => {
  ;[esm, iife] = await Promise.all([bundleWorker(entry), bundleWorker(entry, { format: "iife", minify: false })])
}, 60_000)

describe("the bundled Worker", () => {
  it("imports no Node built-in", () => {
    expect(esm.builtins).toEqual([])
    expect(esm.code).not.toMatch(/["']node:[a-z_/]+["']/)
    const inputs = Object.keys(esm.metafile.inputs)
    // It is the built package (dist) that is bundled, with core's dist.
    expect(inputs).toContain("dist/index.js")
    expect(inputs).toContain("../core/dist/PromiseClient.js")
    expect(inputs.filter((input) => input.includes("platform-node") || input.includes("undici"))).toEqual([])
  })

  it(`stays under ${budgetGzipBytes / 1024} KiB gzip and uses deep imports only`, () => {
    expect(esm.gzipBytes).toBeLessThan(budgetGzipBytes)
    // The barrels nearly double the bundle: neither `effect/index` nor `@effect/platform/index` may be in it.
    expect(Object.keys(esm.metafile.inputs).filter((input) => /\/dist\/esm\/index\.js$/.test(input))).toEqual([])
    // The client reads requests and results by hand: effect/Schema (~15 KiB gzip) stays out of a Worker.
    const output = Object.values(esm.metafile.outputs)[0]!.inputs
    expect(
      Object.entries(output).filter(([input, { bytesInOutput }]) =>
        /\/(Schema|SchemaAST|ParseResult)\.js$/.test(input) && bytesInOutput > 0
      )
    ).toEqual([])
  })

  it("runs nothing at module scope: no effect, timer, I/O or randomness of its own", () => {
    // Every call is recorded with the module that made it: the unminified bundle marks each module with a
    // `// path` comment, and the stack of the call gives the line.
    const lines = iife.code.split("\n")
    const owner = (stack: string): string => {
      for (const match of stack.matchAll(/worker-bundle\.js:(\d+)/g)) {
        for (let line = Number(match[1]) - 1; line >= 0; line--) {
          const text = lines[line] ?? ""
          if (text.startsWith("  // ")) {
            if (!text.includes("GlobalValue") && !/bundle|trap/.test(text)) return text.slice(5)
            break
          }
        }
      }
      return "unknown"
    }
    const calls: Array<{ readonly name: string; readonly by: string }> = []
    const record = (name: string) => {
      calls.push({ name, by: owner(new Error().stack ?? "") })
    }
    const trap = (name: string) => () => {
      record(name)
      throw new Error(`${name} called at module scope`)
    }
    const context = vm.createContext({
      console,
      URL,
      URLSearchParams,
      TextEncoder,
      TextDecoder,
      AbortController,
      AbortSignal,
      Headers,
      Request,
      Response,
      ReadableStream,
      WritableStream,
      TransformStream,
      structuredClone,
      __record: record,
      setTimeout: trap("setTimeout"),
      setInterval: trap("setInterval"),
      setImmediate: trap("setImmediate"),
      queueMicrotask: trap("queueMicrotask"),
      fetch: trap("fetch"),
      crypto: { getRandomValues: trap("crypto.getRandomValues"), randomUUID: trap("crypto.randomUUID") },
      performance: { now: trap("performance.now"), timeOrigin: 0 }
    })
    // The realm's own clock and randomness are recorded (and still work, so Effect's own set-up can proceed).
    vm.runInContext(
      `{
        const RealDate = Date
        const random = Math.random
        const now = Date.now
        Math.random = () => { __record("Math.random"); return random() }
        const TrappedDate = new Proxy(RealDate, {
          construct(target, args) {
            if (args.length === 0) __record("new Date()")
            return new target(...args)
          }
        })
        TrappedDate.now = () => { __record("Date.now"); return now() }
        globalThis.Date = TrappedDate
      }`,
      context
    )
    vm.runInContext(iife.code, context, { filename: "worker-bundle.js" })

    // No timer, I/O or crypto at all, from anyone.
    expect(calls.filter(({ name }) => !["Math.random", "Date.now", "new Date()"].includes(name))).toEqual([])
    // No clock read or randomness from this package or core. (Effect itself hashes a few objects with Math.random
    // while its modules initialise, which workerd permits; that is not an effect being run.)
    expect(calls.filter(({ by }) => by.includes("packages/") || !by.includes("node_modules"))).toEqual([])
    expect(calls.filter(({ name }) => name !== "Math.random")).toEqual([])
    // No effect ever ran: Effect's global fiber counter is untouched.
    const store = vm.runInContext("globalThis[\"effect/GlobalValue\"]", context) as Map<unknown, unknown>
    const fiberCounter = store.get(Symbol.for("effect/Fiber/Id/_fiberCounter")) as { current: number } | undefined
    expect(fiberCounter).toBeDefined()
    expect(fiberCounter?.current).toBe(0)
    const worker = vm.runInContext("worker", context) as { default: { fetch: unknown } }
    expect(typeof worker.default.fetch).toBe("function")
  })
})
