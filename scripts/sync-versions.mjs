// After `changeset version`: copy each package's version into its src/internal/version.ts (when it has one),
// so the User-Agent names the version actually published. A test in each package checks they agree.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"

for (const group of ["packages", "apps"]) {
  if (!existsSync(group)) continue
  for (const name of readdirSync(group)) {
    const file = join(group, name, "src", "internal", "version.ts")
    if (!existsSync(file)) continue
    const { version } = JSON.parse(readFileSync(join(group, name, "package.json"), "utf8"))
    const source = readFileSync(file, "utf8").replace(
      /export const version = "[^"]*"/,
      `export const version = "${version}"`
    )
    writeFileSync(file, source)
  }
}
