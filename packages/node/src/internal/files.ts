/** Why a file could not be read, in words (the code, e.g. ENOENT, explained). */
export const describeFsError = (error: unknown): string => {
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined
  switch (code) {
    case "ENOENT":
      return "no such file"
    case "EACCES":
    case "EPERM":
      return "permission denied"
    case "EISDIR":
      return "it is a directory"
    default:
      return code ?? (error instanceof Error ? error.message : String(error))
  }
}
