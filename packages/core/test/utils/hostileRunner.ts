/**
 * The runtime-agnostic half of the hostile suite (no test framework, no Node API): how a call is described, how its
 * outcome becomes JSON, and a runner over any Promise client. The workerd Worker bundles this file.
 */

/** The key every hostile client is made with: it must never come back in an error. */
export const hostileKey = "hostile-api-key-s3cr3t"

/** Jane Smith's details: they must never come back in an error either. */
export const hostileInput = { nhsNumber: "9000000009", dob: "2010-10-22" } as const

/** How one call is made. */
export interface HostileCall {
  /** The client's options (plain JSON, so they can cross into a Worker). */
  readonly client: {
    readonly apiKey: string
    readonly practiceGroupId: string
    readonly baseUrl: string
    readonly timeoutMs?: number
    readonly maxRetries?: number
    readonly retryInitialDelayMs?: number
  }
  /** Per-call options. */
  readonly call?: { readonly practiceGroupId?: string; readonly timeoutMs?: number; readonly maxRetries?: number }
  /** Abort the call's signal this many milliseconds after it starts. */
  readonly abortAfterMs?: number
  /** Close the client this many milliseconds after the call starts. */
  readonly closeAfterMs?: number
}

/** The outcome of one `registerPds` call, as JSON (so it can cross out of a Worker). */
export type Outcome =
  | {
    readonly outcome: "ok"
    readonly result: Readonly<Record<string, unknown>> & { readonly _tag: string }
    /** Whether the result was an instance of the adapter's result classes (when a check was given). */
    readonly isInstance: boolean
  }
  | {
    readonly outcome: "error"
    readonly error: Readonly<Record<string, unknown>> & {
      readonly _tag: string
      readonly name: string
      readonly message: string
    }
    /** Whether it was an `Error` (or a `DOMException`). */
    readonly isError: boolean
    /** `JSON.stringify` of the error as thrown. */
    readonly json: string
  }

/** Runs a call and records its outcome, keeping what a test looks at and nothing that cannot be serialised. */
export const toOutcome = async (
  call: () => Promise<{ readonly _tag: string }>,
  isResult: (u: unknown) => boolean = () => true
): Promise<Outcome> => {
  try {
    const result = await call()
    return { outcome: "ok", result: { ...result }, isInstance: isResult(result) }
  } catch (error) {
    const fields: Record<string, unknown> = typeof error === "object" && error !== null ? { ...error } : {}
    const isError = error instanceof Error || error instanceof DOMException
    return {
      outcome: "error",
      error: {
        ...JSON.parse(JSON.stringify(fields)),
        _tag: String(fields._tag ?? "none"),
        name: isError ? error.name : typeof error,
        message: isError ? error.message : String(error)
      },
      isError,
      json: JSON.stringify(error) ?? ""
    }
  }
}

/** Makes a client for `call`, registers `hostileInput` with it, and honours `abortAfterMs` / `closeAfterMs`. */
export type HostileRunner = (call: HostileCall) => Promise<Outcome>

/** What the runner needs of a Promise client. */
interface Client {
  readonly registerPds: (
    input: typeof hostileInput,
    options: HostileCall["call"] & { readonly signal: AbortSignal }
  ) => Promise<{ readonly _tag: string }>
  readonly close: () => Promise<void>
}

/** A runner over an adapter's `createHeroClient`. */
export const promiseRunner = (create: (options: HostileCall["client"]) => Client): HostileRunner => async (call) => {
  const client = create(call.client)
  const controller = new AbortController()
  const timers = [
    call.abortAfterMs === undefined ? undefined : setTimeout(() => controller.abort(), call.abortAfterMs),
    call.closeAfterMs === undefined ? undefined : setTimeout(() => void client.close(), call.closeAfterMs)
  ]
  try {
    return await toOutcome(() => client.registerPds(hostileInput, { ...call.call, signal: controller.signal }))
  } finally {
    for (const timer of timers) clearTimeout(timer)
    await client.close()
  }
}
