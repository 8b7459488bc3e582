/**
 * Global setup of the edge-runtime project: the sandbox harness and the hostile server run here, in Node, outside the
 * edge VM the tests run in; the tests reach them over HTTP at the URLs provided as `harnessUrl` and `hostile`.
 */
import type { TestProject } from "vitest/node"
import * as HostileServer from "../../../core/test/utils/hostileServer.js"
import * as Harness from "../utils/harness.js"

declare module "vitest" {
  export interface ProvidedContext {
    /** The base URL of the sandbox harness, `http://127.0.0.1:<port>`. */
    readonly harnessUrl: string
    /** The hostile server's URLs (see core's `test/hostile.ts`). */
    readonly hostile: HostileServer.HostileUrls
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const harness = await Harness.start()
  const hostile = await HostileServer.start()
  project.provide("harnessUrl", harness.url)
  project.provide("hostile", { url: hostile.url, recorderUrl: hostile.recorderUrl })
  return async () => {
    await harness.close()
    await hostile.close()
  }
}
