/**
 * `pnpm --filter @hero-pds/slack-bot dev`: builds the app and runs the Node entry against the embedded Hero
 * sandbox (synthetic patients) with a development signing secret, on 127.0.0.1:3000. Send it a signed command
 * with `node scripts/send-command.mjs "900 000 0009 22/10/2010"`.
 */
import { spawn, spawnSync } from "node:child_process"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import { devChannelId, devEnv, devTeamId, devUserId } from "./dev-env.mjs"

const root = fileURLToPath(new URL("..", import.meta.url))
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")
const built = spawnSync(process.execPath, [tsc, "-p", "tsconfig.src.json"], { cwd: root, stdio: "inherit" })
if (built.status !== 0) process.exit(built.status ?? 1)

const env = { ...process.env, ...devEnv() }
for (const name of ["HERO_API_KEY", "HERO_PRACTICE_GROUP_ID", "HERO_BASE_URL"]) delete env[name]
console.error(
  `Development server: embedded Hero sandbox, team ${devTeamId}, user ${devUserId}, channel ${devChannelId}.\n` +
    "Try: node scripts/send-command.mjs \"900 000 0009 22/10/2010\""
)
const child = spawn(process.execPath, ["dist/NodeMain.js"], { cwd: root, env, stdio: "inherit" })
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal))
child.on("exit", (code, signal) => process.exit(code ?? (signal === null ? 0 : 1)))
