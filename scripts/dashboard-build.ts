import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { inheritedEnvironment } from "../src/core/inherited-environment.ts";
import { isStale, REPO_ROOT } from "./build-inputs.ts";

// Builds the dashboard (dist/web) when it is missing or older than its sources. Used by
// `npm start`, the end-to-end tests and the dashboard benchmark, so none of them serves a stale build.
// The dashboard also bundles the shared vocabularies and scopes; a change to them changes it.
const INPUTS = [
  "src/web",
  "vite.config.ts",
  "package-lock.json",
  "src/core/enums.ts",
  "src/core/permissions.ts",
];

/** Runs `vite build` if needed; returns false when the build failed. */
export function ensureDashboardBuilt(
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): boolean {
  if (!isStale("dist/web/index.html", INPUTS)) return true;
  log("building the dashboard (vite build)…");
  const vite = join(REPO_ROOT, "node_modules/vite/bin/vite.js");
  const result = spawnSync(process.execPath, [vite, "build", "--logLevel", "warn"], {
    cwd: REPO_ROOT,
    stdio: "inherit",
    // Always the production bundle: under vitest NODE_ENV is "test", which would build React's
    // development build and make the end-to-end tests and the benchmark measure the wrong thing.
    env: { ...inheritedEnvironment(), NODE_ENV: "production" },
  });
  return result.status === 0;
}
