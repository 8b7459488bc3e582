/**
 * Bundles the built Workers entry the way wrangler does without `nodejs_compat`: esbuild, ESM, the `workerd`
 * export conditions, a neutral platform, Node built-ins left external so a stray one fails loudly.
 */
import * as esbuild from "esbuild"
import { builtinModules } from "node:module"

const nodeBuiltins = [...new Set(builtinModules.flatMap((name) => [name, `node:${name.replace(/^node:/, "")}`]))]

export const bundleWorker = async (
  entry: string
): Promise<{ readonly code: string; readonly builtins: Array<string> }> => {
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["browser", "module", "main"],
    minify: true,
    metafile: true,
    logLevel: "silent",
    external: [...nodeBuiltins, "node:*", "cloudflare:*"]
  })
  const builtins = Object.values(result.metafile.inputs).flatMap((input) =>
    input.imports.filter((imported) => imported.external).map((imported) => imported.path)
  )
  return { code: result.outputFiles[0]!.text, builtins }
}
