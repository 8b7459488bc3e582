/**
 * The Worker the workerd test runs: the BUILT Workers entry, re-exported as wrangler would bundle it.
 */
export { default } from "../../dist/WorkerMain.js"
