/** This package's version, kept equal to package.json by scripts/sync-versions.mjs (and checked by a test). */
export const version = "0.0.0"
