import type * as Bulk from "../Bulk.js"

/** Rows per second over a sliding window of recent progress. */
export class RateMeter {
  private readonly samples: Array<{ readonly at: number; readonly done: number }> = []

  constructor(private readonly windowMs = 10_000) {}

  /** Records progress and returns the recent rate (rows per second), or undefined before there is any. */
  update(at: number, done: number): number | undefined {
    this.samples.push({ at, done })
    while (this.samples.length > 2 && at - this.samples[1]!.at >= this.windowMs) this.samples.shift()
    const first = this.samples[0]!
    const seconds = (at - first.at) / 1000
    return seconds > 0.5 ? (done - first.done) / seconds : undefined
  }
}

const pad2 = (n: number) => String(n).padStart(2, "0")

/** `42s`, `3m05s`, `1h02m`. */
export const formatDuration = (seconds: number): string => {
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${pad2(s % 60)}s`
  return `${Math.floor(s / 3600)}h${pad2(Math.floor((s % 3600) / 60))}m`
}

/** `1 row`, `2 rows`. */
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`

/** The line that starts a run: what is read, where it goes, how fast. */
export const startLine = (
  progress: Bulk.Progress,
  settings: {
    readonly input: string
    readonly output: string
    readonly concurrency?: number | undefined
    readonly rate?: number | undefined
  }
): string =>
  `Registering ${plural(progress.total, "row")} from ${settings.input} into ${settings.output}` +
  (progress.resumed > 0 ? ` (resuming: ${progress.resumed} already done)` : "") +
  (progress.toRetry > 0 ? ` (sending ${plural(progress.toRetry, "temporary failure")} again)` : "") +
  (settings.concurrency === undefined
    ? (settings.rate === undefined ? "" : ", as many at a time as the latency needs")
    : `, ${settings.concurrency} at a time`) +
  (settings.rate === undefined ? "" : `, at most ${settings.rate} per second`) + "."

/** One progress line: counts only, never patient data. */
export const progressLine = (progress: Bulk.Progress, rate: number | undefined): string => {
  const { counts, done, total } = progress
  const percent = total === 0 ? 100 : Math.floor((done / total) * 100)
  const left = total - done
  const speed = rate === undefined ? "" : `, ${rate.toFixed(1)} rows/s`
  const eta = rate === undefined || rate <= 0 || left === 0 ? "" : `, about ${formatDuration(left / rate)} left`
  return `${done}/${total} rows (${percent}%)${speed}${eta} · ${counts.registered} registered, ` +
    `${counts.verification_required} verification required, ${counts.error} errors`
}

/** A text bar for a TTY: `[#######.......]`. */
export const bar = (done: number, total: number, width = 20): string => {
  const filled = total === 0 ? width : Math.round((done / total) * width)
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}]`
}

/** The summary printed at the end: each outcome and each error tag counted; row numbers, never patient data. */
export const summaryText = (summary: Bulk.Summary, output: string): string => {
  const { counts } = summary
  const lines = [
    `${summary.done}/${plural(summary.total, "row")} ${summary.total === 1 ? "is" : "are"} in ${output}` +
    (summary.resumed > 0 ? ` (${summary.resumed} from an earlier run, ${summary.processed} now)` : "") +
    ` in ${formatDuration(summary.elapsedMs / 1000)}.`,
    `  registered             ${counts.registered}`,
    `  verification_required  ${counts.verification_required}`,
    `  error                  ${counts.error}`,
    ...(summary.toRetry > 0 ? [`  sent again             ${summary.retried} of ${summary.toRetry}`] : []),
    ...Object.entries(counts.errors).sort(([a], [b]) => a.localeCompare(b)).map(([tag, n]) => `    ${tag}: ${n}`)
  ]
  if (summary.invalidRows.length > 0) {
    lines.push("Invalid rows (nothing was sent for them):")
    for (const { issues, row } of summary.invalidRows) {
      lines.push(
        `  row ${row}: ${issues.map((i) => (i.path === "" ? i.message : `${i.path} ${i.message}`)).join("; ")}`
      )
    }
    const shown = summary.invalidRows.length
    const invalid = counts.errors.InvalidInput ?? 0
    if (invalid > shown) lines.push(`  ... see the error column of ${output} for the others`)
  }
  switch (summary.ending._tag) {
    case "Completed":
      break
    case "Interrupted":
      lines.push(
        `Stopped early: ${plural(summary.total - summary.done, "row")} not done yet. ` +
          "Run the same command again to resume; no row already written is sent again."
      )
      break
    case "HeroFailed":
      lines.push(
        `Stopped at row ${summary.ending.row}: ${summary.ending.error}` +
          `${summary.ending.status === undefined ? "" : ` (HTTP ${summary.ending.status})`}: ${summary.ending.message}`,
        summary.ending.error === "Unauthorized" || summary.ending.error === "Forbidden"
          ? "Check HERO_API_KEY and HERO_PRACTICE_GROUP_ID, then run the same command again to resume."
          : "Hero is failing or limiting requests for now: run the same command again later to resume " +
            "(consider a lower --rate)."
      )
      break
  }
  return lines.join("\n")
}
