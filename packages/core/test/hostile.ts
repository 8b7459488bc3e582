/**
 * The hostile-server suite every adapter runs (`utils/hostileServer.ts` is the server): redirects, a trickling body,
 * silence, floods, a gzip bomb, echoed secrets, a non-JSON 2xx, abort and close, per-call options and the correlation
 * id. It speaks to the server and the client through `fetch` and a runner only, so it runs unchanged in Node, inside
 * workerd (the runner crosses into the Worker) and in the edge-runtime VM.
 */
import { describe, expect, it } from "vitest"
import { type HostileCall, hostileKey, type HostileRunner } from "./utils/hostileRunner.js"
import type { HostileUrls } from "./utils/hostileServer.js"

const getJson = async <A>(url: string): Promise<A> => (await fetch(url)).json() as Promise<A>

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

/** Runs the suite against a runtime's runner. */
export const hostileSuite = (name: string, runner: HostileRunner, urls: () => HostileUrls) =>
  describe(`${name}: against a hostile server`, () => {
    const client = (route: string, options: Partial<HostileCall["client"]> = {}) => ({
      apiKey: hostileKey,
      practiceGroupId: "pg-hostile",
      baseUrl: `${urls().url}/${route}`,
      maxRetries: 0,
      ...options
    })
    const stats = () => getJson<{ requests: number; bodyBytesSent: number }>(`${urls().url}/__stats`)
    const received = () =>
      getJson<ReadonlyArray<{ headers: Record<string, string> }>>(`${urls().recorderUrl}/__received`)
    const reset = async () => {
      await getJson(`${urls().url}/__reset`)
      await getJson(`${urls().recorderUrl}/__reset`)
    }
    const failed = async (call: HostileCall) => {
      await reset()
      const outcome = await runner(call)
      if (outcome.outcome !== "error") throw new Error(`Expected an error, got ${JSON.stringify(outcome)}`)
      const everything = `${outcome.error.message} ${outcome.json} ${JSON.stringify(outcome.error)}`
      for (const secret of [hostileKey, "9000000009", "2010-10-22"]) expect(everything).not.toContain(secret)
      return outcome.error
    }

    for (const status of [301, 302, 303, 307]) {
      it(`never follows a ${status}: UnexpectedResponse, and nothing reaches the other host`, async () => {
        const error = await failed({ client: client(`redirect-${status}`) })
        expect(error).toMatchObject({ _tag: "UnexpectedResponse", status })
        expect(error.message).toContain("never followed")
        expect(await received()).toEqual([])
      })
    }

    it("bounds an attempt whole: a body trickling one byte every 400 ms times out", async () => {
      const started = Date.now()
      const error = await failed({ client: client("trickle", { timeoutMs: 1_000 }) })
      expect(error).toMatchObject({ _tag: "TransportError", reason: "Timeout", attempts: 1 })
      // Generous: it used to wait forever. (How close to timeoutMs it ends is measured by the benchmark.)
      expect(Date.now() - started).toBeLessThan(4_000)
    })

    it("times out a server that never answers", async () => {
      const started = Date.now()
      const error = await failed({ client: client("silent", { timeoutMs: 300 }) })
      expect(error).toMatchObject({ _tag: "TransportError", reason: "Timeout", attempts: 1 })
      expect(Date.now() - started).toBeLessThan(3_000)
    })

    for (const route of ["flood", "endless"]) {
      it(`refuses a ${route === "flood" ? "2 GiB" : "endless chunked"} body without reading it`, async () => {
        const error = await failed({ client: client(route) })
        expect(error).toMatchObject({ _tag: "UnexpectedResponse", status: 200 })
        expect(error.message).toContain("64 KiB")
        expect((await stats()).bodyBytesSent).toBeLessThan(64 * 1024 * 1024)
      })
    }

    it("refuses a gzip bomb: the cap holds after decompression", async () => {
      const error = await failed({ client: client("gzip-bomb") })
      expect(error).toMatchObject({ _tag: "UnexpectedResponse", status: 200 })
    })

    for (const route of ["echo-key", "echo-all"]) {
      it(`keeps a request id that echoes secrets (${route}) out of the error`, async () => {
        const error = await failed({ client: client(route) })
        expect(error).toMatchObject({ _tag: "PatientNotFound", status: 404 })
        expect(error.requestId).toBeUndefined()
      })
    }

    it("turns a non-JSON 2xx into UnexpectedResponse without its content type", async () => {
      const error = await failed({ client: client("weird-2xx") })
      expect(error).toMatchObject({ _tag: "UnexpectedResponse", status: 200 })
      expect(error.message).not.toContain("text/")
    })

    it("rejects an aborted call with the signal's reason (AbortError), sending nothing more", async () => {
      const error = await failed({ client: client("silent", { maxRetries: 3 }), abortAfterMs: 100 })
      expect(error.name).toBe("AbortError")
      expect(error._tag).toBe("none")
      expect((await stats()).requests).toBe(1)
    })

    it("close() ends a call in flight with an error of its own, sending nothing more", async () => {
      const error = await failed({ client: client("silent", { maxRetries: 3 }), closeAfterMs: 100 })
      expect(error.name).toBe("ClientClosedError")
      expect(error.message).toContain("closed")
      expect((await stats()).requests).toBe(1)
    })

    it("acts for the practice group of the call and sends one correlation id", async () => {
      await reset()
      const outcome = await runner({
        client: { ...client(""), baseUrl: urls().recorderUrl },
        call: { practiceGroupId: "pg-of-the-call" }
      })
      expect(outcome).toMatchObject({ outcome: "ok", result: { _tag: "Registered" } })
      const [request] = await received()
      expect(request?.headers["x-practice-group-id"]).toBe("pg-of-the-call")
      expect(request?.headers["x-correlation-id"]).toMatch(uuid)
      expect(outcome.outcome === "ok" && outcome.result.correlationId).toBe(request?.headers["x-correlation-id"])
    })
  })
