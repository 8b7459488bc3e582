import type { Metafile } from "esbuild"

/** Every Node built-in, bare (`fs`) and prefixed (`node:fs`). */
export declare const nodeBuiltins: ReadonlyArray<string>

/** A Worker bundled the way wrangler bundles it. */
export interface WorkerBundle {
  readonly code: string
  readonly bytes: number
  readonly gzipBytes: number
  /** Node built-ins the bundle imports: empty for an edge-safe bundle. */
  readonly builtins: ReadonlyArray<string>
  /** Minified bytes per package, largest first. */
  readonly byPackage: ReadonlyArray<readonly [string, number]>
  readonly metafile: Metafile
}

/**
 * Bundles `entry` like wrangler (esbuild, ESM, minified, `workerd`/`worker`/`browser` conditions); `format: "iife"`
 * gives the same graph as a script assigning the module to the global `worker`, for `node:vm`.
 */
export declare const bundleWorker: (
  entry: string,
  options?: { readonly minify?: boolean; readonly format?: "esm" | "iife" }
) => Promise<WorkerBundle>
