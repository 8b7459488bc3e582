/**
 * Bundles a Worker the way wrangler does for a Worker without `nodejs_compat`: esbuild, ESM, minified, the
 * `workerd`/`worker`/`browser` export conditions, a neutral platform with browser-first main fields. Node built-ins
 * are left external (never bundled) so a stray one is reported instead of silently shimmed.
 */
import * as esbuild from "esbuild"
import { Buffer } from "node:buffer"
import { builtinModules } from "node:module"
import { gzipSync } from "node:zlib"

/** Every Node built-in, bare (`fs`) and prefixed (`node:fs`). */
export const nodeBuiltins = [...new Set(builtinModules.flatMap((name) => [name, `node:${name.replace(/^node:/, "")}`]))]

/**
 * @param {string} entry the Worker's entry file
 * @param {{ readonly minify?: boolean, readonly format?: "esm" | "iife" }} [options] `iife` (global `worker`) is
 *   for evaluating the same graph in a `node:vm` context
 */
export const bundleWorker = async (entry, options = {}) => {
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: options.format ?? "esm",
    ...(options.format === "iife" ? { globalName: "worker" } : {}),
    platform: "neutral",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["browser", "module", "main"],
    minify: options.minify ?? true,
    treeShaking: true,
    metafile: true,
    legalComments: "none",
    logLevel: "silent",
    external: [...nodeBuiltins, "node:*", "cloudflare:*"],
    define: { "process.env.NODE_ENV": "\"production\"" }
  })
  const code = result.outputFiles[0].text
  const bytes = Buffer.byteLength(code)
  // zlib's default level, as wrangler reports "gzip:" sizes.
  const gzipBytes = gzipSync(code).length
  /** Node built-ins the bundle still imports (externals that esbuild kept) or names in `import`/`require`. */
  const builtins = new Set()
  for (const input of Object.values(result.metafile.inputs)) {
    for (const imported of input.imports) {
      if (imported.external && (imported.path.startsWith("node:") || nodeBuiltins.includes(imported.path))) {
        builtins.add(imported.path)
      }
    }
  }
  const specifier = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s*)["']([^"']+)["']/g
  for (const match of code.matchAll(specifier)) {
    const name = match[1]
    if (name.startsWith("node:") || nodeBuiltins.includes(name)) builtins.add(name)
  }
  /** Bytes of output per package, largest first, to see what pulls weight. */
  const byPackage = new Map()
  for (const [path, output] of Object.entries(result.metafile.outputs)) {
    void path
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /.*node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(input)
      const key = match
        ? match[1]
        : /(^|\/)core\/(dist|src)\//.test(input)
        ? "@hero-pds/core"
        : /^(\.\.\/edge\/)?(dist|src)\//.test(input)
        ? "@hero-pds/edge"
        : input
      byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput)
    }
  }
  return {
    code,
    bytes,
    gzipBytes,
    builtins: [...builtins].sort(),
    byPackage: [...byPackage.entries()].sort((a, b) => b[1] - a[1]),
    metafile: result.metafile
  }
}
