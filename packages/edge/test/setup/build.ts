/**
 * Global setup of the Node project: builds this package's `dist`, because the workerd and bundle tests bundle the
 * BUILT package, as a user's wrangler would. Only this project is compiled (`-p`, not `-b`): core's `dist` is
 * turbo's `^build`, done before `test` (or `pnpm --filter @hero-pds/core build`).
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
