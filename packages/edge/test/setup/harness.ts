/**
 * Global setup of the edge-runtime project: the sandbox harness runs here, in Node, outside the edge VM the tests
 * run in; the tests reach it over HTTP at the URL provided as `harnessUrl`.
 */
import type { TestProject } from "vitest/node"
import * as Harness from "../utils/harness.js"

declare module "vitest" {
  export interface ProvidedContext {
    /** The base URL of the sandbox harness, `http://127.0.0.1:<port>`. */
    readonly harnessUrl: string
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const harness = await Harness.start()
  project.provide("harnessUrl", harness.url)
  return () => harness.close()
}
