import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Fs from "node:fs"

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

/**
 * The bytes of a file, `chunkSize` at a time, read on demand (so a slow consumer holds one chunk in memory).
 * The file is closed when the stream ends, fails or is interrupted.
 */
export const readBytes = <E>(
  path: string,
  onError: (error: unknown) => E,
  chunkSize = 64 * 1024
): Stream.Stream<Uint8Array, E> =>
  Stream.unwrapScoped(
    Effect.map(
      Effect.acquireRelease(
        Effect.tryPromise({ try: () => Fs.promises.open(path, "r"), catch: onError }),
        (handle) => Effect.promise(() => handle.close())
      ),
      (handle) =>
        Stream.repeatEffectOption(
          Effect.flatMap(
            Effect.mapError(
              Effect.tryPromise({
                try: () => handle.read(Buffer.allocUnsafe(chunkSize), 0, chunkSize, null),
                catch: onError
              }),
              Option.some
            ),
            ({ buffer, bytesRead }) =>
              bytesRead === 0 ? Effect.fail(Option.none()) : Effect.succeed(buffer.subarray(0, bytesRead))
          )
        )
    )
  )
