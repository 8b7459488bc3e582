/**
 * The Node entry's fast path: HMAC through `node:crypto` (synchronous), the body read from the socket's own events,
 * log lines written in one batch per turn of the event loop, and start-up failures explained.
 */
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Scheduler from "effect/Scheduler"
import { createHmac } from "node:crypto"
import type * as SlackLogger from "../SlackLogger.js"
import type * as SlackSignature from "../SlackSignature.js"
import * as Body from "./body.js"

/** HMAC-SHA256 with `node:crypto`: synchronous, no promise per request. */
export const hmac: SlackSignature.HmacFactory = {
  make: (secret) =>
    Effect.sync(() => {
      const key = Buffer.from(Redacted.value(secret), "utf8")
      return (data) => Effect.sync(() => createHmac("sha256", key).update(data).digest())
    })
}

/** A scheduler for background work (follow-ups): its fibers run after the I/O that is pending, never before. */
export const background: Scheduler.Scheduler = Scheduler.makeBatched((runBatch) => setImmediate(runBatch))

/** Reads the body from the `IncomingMessage` itself, within the limit (see `Body.readStream`). */
export const readBody: Body.Read = (request, maxBytes) =>
  Effect.async((resume) => {
    const incoming = NodeHttpServerRequest.toIncomingMessage(request)
    if (incoming.readableEnded) return resume(Effect.fail(new Body.Unreadable()))
    const chunks: Array<Buffer> = []
    let total = 0
    const cleanup = () => {
      incoming.off("data", onData)
      incoming.off("end", onEnd)
      incoming.off("error", onError)
      incoming.off("aborted", onError)
    }
    const onData = (chunk: Buffer) => {
      total += chunk.length
      if (total <= maxBytes) chunks.push(chunk)
      else if (total > Body.drainFactor * maxBytes) {
        cleanup()
        incoming.destroy()
        resume(Effect.fail(new Body.TooLarge()))
      }
    }
    const onEnd = () => {
      cleanup()
      resume(total > maxBytes ? Effect.fail(new Body.TooLarge()) : Effect.succeed(Body.concat(chunks, total)))
    }
    const onError = () => {
      cleanup()
      resume(Effect.fail(new Body.Unreadable()))
    }
    incoming.on("data", onData)
    incoming.on("end", onEnd)
    incoming.on("error", onError)
    incoming.on("aborted", onError)
    return Effect.sync(cleanup)
  })

/** Lines to stdout, written together once per turn of the event loop; `flush` writes what is left at once. */
export const batchedStdout = (): { readonly sink: SlackLogger.Sink; readonly flush: () => void } => {
  let pending: Array<string> = []
  let scheduled = false
  const flush = () => {
    scheduled = false
    if (pending.length === 0) return
    const text = `${pending.join("\n")}\n`
    pending = []
    process.stdout.write(text)
  }
  return {
    sink: (line) => {
      pending.push(line)
      if (!scheduled) {
        scheduled = true
        setImmediate(flush)
      }
    },
    flush
  }
}

/** What stopped the server from listening, for an operator: the cause and what to do. */
export const listenFailure = (cause: unknown, where: { readonly host: string; readonly port: number }): string => {
  const code = typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : undefined
  const at = `${where.host}:${where.port}`
  switch (code) {
    case "EADDRINUSE":
      return `port ${where.port} is already in use on ${where.host} (EADDRINUSE): stop the other server or set PORT`
    case "EACCES":
      return `not allowed to listen on ${at} (EACCES): ports below 1024 need privileges; set PORT to 1024 or more ` +
        `and put a proxy in front`
    case "EADDRNOTAVAIL":
      return `HOST ${where.host} is not an address of this machine (EADDRNOTAVAIL): set HOST to one of its ` +
        `addresses, 127.0.0.1, or leave it unset for every interface`
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_NONAME":
      return `HOST ${where.host} could not be resolved (${code}): set HOST to an IP address or a resolvable name`
    default:
      return `could not listen on ${at}${code === undefined ? "" : ` (${code})`}${
        cause instanceof Error && cause.message !== "" ? `: ${cause.message}` : ""
      }`
  }
}
