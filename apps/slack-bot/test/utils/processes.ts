/**
 * Child processes for the tests: started with their stdout and stderr collected line by line, and killed by
 * {@link killAll} (call it in `afterEach`/`afterAll`) if they are still running.
 */
import { spawn } from "node:child_process"
import type { ChildProcess } from "node:child_process"

export interface Started {
  readonly child: ChildProcess
  readonly stdout: Array<string>
  readonly stderr: Array<string>
  /** The exit code (`null` when killed by a signal). */
  readonly exited: Promise<number | null>
}

const children = new Set<ChildProcess>()

/** The current environment without any `HERO_*` or `SLACK_*` variable, plus `env`. */
export const cleanEnv = (env: Record<string, string>): Record<string, string> => ({
  ...Object.fromEntries(
    Object.entries(process.env).filter((entry): entry is [string, string] =>
      entry[1] !== undefined && !entry[0].startsWith("HERO_") && !entry[0].startsWith("SLACK_")
    )
  ),
  ...env
})

/** Runs `node <args>` in `cwd` with exactly `env`. */
export const spawnNode = (args: ReadonlyArray<string>, options: {
  readonly cwd: string
  readonly env: Record<string, string>
}): Started => {
  const child = spawn(process.execPath, args, { cwd: options.cwd, env: options.env })
  children.add(child)
  const stdout: Array<string> = []
  const stderr: Array<string> = []
  const collect = (into: Array<string>) => {
    let partial = ""
    return {
      data: (chunk: Buffer) => {
        const lines = (partial + chunk.toString("utf8")).split("\n")
        partial = lines.pop() ?? ""
        into.push(...lines.filter((line) => line !== ""))
      },
      end: () => {
        if (partial !== "") into.push(partial)
        partial = ""
      }
    }
  }
  const out = collect(stdout)
  const err = collect(stderr)
  child.stdout!.on("data", out.data)
  child.stderr!.on("data", err.data)
  const exited = new Promise<number | null>((resolve) =>
    child.on("close", (code) => {
      out.end()
      err.end()
      children.delete(child)
      resolve(code)
    })
  )
  return { child, stdout, stderr, exited }
}

/** Kills every child still running. */
export const killAll = (): void => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
  children.clear()
}

export const waitFor = async <A>(find: () => A | undefined, timeoutMs = 15_000): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = find()
    if (found !== undefined) return found
    if (Date.now() > deadline) throw new Error("Timed out")
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** The port a started server logs in its `{"event":"listening","port":...}` line. */
export const listeningPort = (started: Started): Promise<number> =>
  waitFor(() =>
    started.stdout.map((line) => JSON.parse(line) as { event?: string; port?: number })
      .find((line) => line.event === "listening")?.port
  )
