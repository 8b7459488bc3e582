// pnpm bench: what `npm i @hero-pds/node` puts on a user's disk. Packs @hero-pds/core, @hero-pds/sandbox and
// @hero-pds/node with `pnpm pack` (as they would be published), installs the three tarballs into a fresh project
// with npm (their dependencies and required peers come from the registry), and measures node_modules with du.
// Writes bench-results-install.json beside package.json; fails over the 64 MB budget.
import { execFileSync } from "node:child_process"
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import process from "node:process"
import { fileURLToPath } from "node:url"

const budgetBytes = 64 * 1000 * 1000
const packages = ["core", "sandbox", "node"]
const root = fileURLToPath(new URL("../../..", import.meta.url))
const work = mkdtempSync(join(tmpdir(), "hero-pds-install-"))
const run = (command, args, cwd) =>
  execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })

try {
  const tarballs = join(work, "tarballs")
  for (const name of packages) run("pnpm", ["pack", "--pack-destination", tarballs], join(root, "packages", name))
  const project = join(work, "project")
  run("mkdir", ["-p", project])
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "install-size", private: true, type: "module" }))
  const files = readdirSync(tarballs).map((file) => join(tarballs, file))
  run("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error", ...files], project)
  const bytes = Number(run("du", ["-sb", "node_modules"], project).split("\t")[0])
  const installed = run("npm", ["ls", "--all", "--parseable"], project).trim().split("\n").length - 1
  // The library must load with what was installed (no @effect/platform-node among it).
  run("node", [
    "-e",
    "import('@hero-pds/node').then((hero) => { if (typeof hero.createHeroClient !== 'function') process.exit(1) })"
  ], project)
  const platformNode = run("npm", ["ls", "@effect/platform-node", "--parseable"], project).trim() !== ""
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    bytes,
    budgetBytes,
    packages: installed,
    platformNode
  }
  writeFileSync(new URL("../bench-results-install.json", import.meta.url), `${JSON.stringify(results, null, 2)}\n`)
  console.log("| npm i @hero-pds/node (packed tarballs) | |\n| --- | --- |")
  console.log(`| node_modules on disk | ${(bytes / 1e6).toFixed(1)} MB (budget ${budgetBytes / 1e6} MB) |`)
  console.log(`| packages installed | ${installed} |`)
  console.log(`| @effect/platform-node installed | ${platformNode ? "yes" : "no"} |`)
  if (bytes > budgetBytes) {
    console.error(`FAIL: ${(bytes / 1e6).toFixed(1)} MB is over the ${budgetBytes / 1e6} MB budget`)
    process.exitCode = 1
  }
} finally {
  rmSync(work, { recursive: true, force: true })
}
