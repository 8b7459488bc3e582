/**
 * The files beside an output that keep it whole: a lock (one run writes it at a time) and the origin (the
 * environment, base URL origin and practice group its answers came from, so a resume elsewhere is refused).
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Fs from "node:fs"
import * as Os from "node:os"
import { BulkError } from "./bulkError.js"
import { describeFsError } from "./files.js"

/** The lock beside an output. */
export const lockPath = (output: string): string => `${output}.lock`

/** The origin record beside an output. */
export const originPath = (output: string): string => `${output}.origin.json`

interface Holder {
  readonly pid: number
  readonly host: string
  readonly since: string
}

const readHolder = (path: string): Holder | undefined => {
  try {
    const holder = JSON.parse(Fs.readFileSync(path, "utf8")) as Partial<Holder>
    return typeof holder.pid === "number" && typeof holder.host === "string" ? holder as Holder : undefined
  } catch {
    return undefined
  }
}

const codeOf = (error: unknown) =>
  typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined

/** Whether the process holding a lock may still run (one on another host is assumed to). */
const isAlive = (holder: Holder): boolean => {
  if (holder.host !== Os.hostname()) return true
  try {
    process.kill(holder.pid, 0)
    return true
  } catch (error) {
    return codeOf(error) === "EPERM"
  }
}

/** A lock file being written right now has no holder yet: it is only stale once it is this old. */
const unreadableGraceMs = 10_000

const locked = (output: string, holder: Holder | undefined) =>
  new BulkError({
    reason: "OutputLocked",
    message: holder === undefined
      ? `${output} is being written by another hero-pds bulk (see ${lockPath(output)}). Wait for it to finish.`
      : `${output} is being written by another hero-pds bulk (process ${holder.pid}` +
        `${holder.host === Os.hostname() ? "" : ` on ${holder.host}`}, since ${holder.since}). ` +
        `Wait for it to finish, or stop it. If that process is gone, delete ${lockPath(output)}.`
  })

/** Tries to create the lock; on a stale one (its process gone), moves it aside and tries again. */
const take = (output: string): BulkError | undefined => {
  const path = lockPath(output)
  const mine: Holder = { pid: process.pid, host: Os.hostname(), since: new Date().toISOString() }
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = Fs.openSync(path, "wx")
      try {
        Fs.writeSync(fd, JSON.stringify(mine))
      } finally {
        Fs.closeSync(fd)
      }
      return undefined
    } catch (error) {
      if (codeOf(error) !== "EEXIST") {
        return new BulkError({
          reason: "OutputUnwritable",
          message: `Cannot create ${path}: ${describeFsError(error)}`
        })
      }
    }
    const holder = readHolder(path)
    if (holder === undefined) {
      const age = Date.now() - (Fs.statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0)
      if (age < unreadableGraceMs) return locked(output, undefined)
    } else if (isAlive(holder)) {
      return locked(output, holder)
    }
    // Stale: move it aside (a rename is atomic, so of two runs taking it over one wins), and check that what was
    // moved is the stale lock, not one another run has just taken.
    const aside = `${path}.${process.pid}.stale`
    try {
      Fs.renameSync(path, aside)
    } catch {
      continue
    }
    const moved = readHolder(aside)
    if (moved !== undefined && holder !== undefined && moved.pid !== holder.pid) {
      try {
        Fs.linkSync(aside, path)
      } catch {
        // someone else holds it now; the next attempt says who
      }
    }
    Fs.rmSync(aside, { force: true })
  }
  return locked(output, readHolder(path))
}

/** Removes the lock if it is still this process's. */
const release = (output: string) => {
  const path = lockPath(output)
  if (readHolder(path)?.pid === process.pid) Fs.rmSync(path, { force: true })
}

/**
 * Holds the output's lock for the scope: created atomically, taken over when its process is gone, removed when the
 * scope closes and, should the process exit first, on its way out. Fails at once with `OutputLocked`, naming the
 * process that holds it.
 */
export const lock = (output: string): Effect.Effect<void, BulkError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.suspend(() => {
      const error = take(output)
      if (error !== undefined) return Effect.fail(error)
      const onExit = () => release(output)
      process.on("exit", onExit)
      return Effect.succeed(onExit)
    }),
    (onExit) =>
      Effect.sync(() => {
        process.removeListener("exit", onExit)
        release(output)
      })
  ).pipe(Effect.asVoid)

/** Where an output's answers come from. */
export interface Origin {
  readonly environment: string
  /** The base URL's origin, e.g. `https://api.herohealth.net`. */
  readonly origin: string
  readonly practiceGroupId: string
}

const describe = (origin: Origin) =>
  `${origin.environment} (${origin.origin}, practice group ${origin.practiceGroupId})`

const sameOrigin = (a: Origin, b: Origin) =>
  a.environment === b.environment && a.origin === b.origin && a.practiceGroupId === b.practiceGroupId

const readOrigin = (path: string): Origin | undefined => {
  try {
    const origin = JSON.parse(Fs.readFileSync(path, "utf8")) as Partial<Origin>
    return typeof origin.environment === "string" && typeof origin.origin === "string" &&
        typeof origin.practiceGroupId === "string"
      ? { environment: origin.environment, origin: origin.origin, practiceGroupId: origin.practiceGroupId }
      : undefined
  } catch {
    return undefined
  }
}

/**
 * Checks that an output may take answers from `origin`, and records it beside the output (atomically) before
 * anything is written. An output with rows but no origin record, or another one, is refused (`OriginMismatch`),
 * saying how to start afresh.
 */
export const claimOrigin = (output: string, origin: Origin, hasRows: boolean): Effect.Effect<void, BulkError> =>
  Effect.suspend(() => {
    const path = originPath(output)
    const recorded = readOrigin(path)
    const afresh = `To start afresh, move ${output} and ${path} away (or use another --out).`
    if (recorded !== undefined && !sameOrigin(recorded, origin)) {
      return Effect.fail(
        new BulkError({
          reason: "OriginMismatch",
          message: `${output} holds answers from ${describe(recorded)}, but this run is against ${
            describe(origin)
          }: resuming would mix them. ${afresh}`
        })
      )
    }
    if (recorded === undefined && hasRows) {
      return Effect.fail(
        new BulkError({
          reason: "OriginMismatch",
          message: `${output} has rows but no record of where they came from (${path} is missing or unreadable), ` +
            `so they cannot be resumed against ${describe(origin)}. ${afresh}`
        })
      )
    }
    if (recorded !== undefined) return Effect.void
    return Effect.try({
      try: () => {
        const temporary = `${path}.${process.pid}.tmp`
        Fs.writeFileSync(temporary, JSON.stringify(origin, null, 2) + "\n")
        Fs.renameSync(temporary, path)
      },
      catch: (error) =>
        new BulkError({ reason: "OutputUnwritable", message: `Cannot write ${path}: ${describeFsError(error)}` })
    })
  })
