import * as FastCheck from "effect/FastCheck"

// Property tests are the fuzz targets: a bounded number of runs in `pnpm test`, more with `pnpm fuzz`.
FastCheck.configureGlobal({ numRuns: Number(process.env.FUZZ_RUNS ?? 200) })
