/**
 * Builds this app's `dist` once before the tests: the Node entry test spawns `dist/NodeMain.js` and the workerd
 * test bundles `dist/WorkerMain.js`. Only this project is compiled (`-p`); the packages' `dist` are turbo's
 * `^build`.
 */
import { execFileSync } from "node:child_process"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"

export default function setup(): void {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.src.json"], {
    cwd: fileURLToPath(new URL("../..", import.meta.url)),
    stdio: "inherit"
  })
}
