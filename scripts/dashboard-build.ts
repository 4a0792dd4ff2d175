import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { inheritedEnvironment } from "../src/core/inherited-environment.ts";

// Builds the dashboard (dist/web) when it is missing or older than its sources. Used by
// `npm start`, the end-to-end tests and the dashboard benchmark, so none of them serves a stale build.
export const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
const SOURCE_DIR = join(REPO_ROOT, "src/web");
const BUILT_INDEX = join(REPO_ROOT, "dist/web/index.html");
// The dashboard also bundles these (shared vocabularies and scopes); a change to them changes it.
const OTHER_INPUTS = ["vite.config.ts", "package-lock.json", "src/core/enums.ts", "src/core/permissions.ts"];

function newestMtime(path: string): number {
  const info = statSync(path, { throwIfNoEntry: false });
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

export function dashboardIsStale(): boolean {
  const built = statSync(BUILT_INDEX, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const sources = Math.max(
    newestMtime(SOURCE_DIR),
    ...OTHER_INPUTS.map((p) => newestMtime(join(REPO_ROOT, p))),
  );
  return built < sources;
}

/** Runs `vite build` if needed; returns false when the build failed. */
export function ensureDashboardBuilt(
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): boolean {
  if (!dashboardIsStale()) return true;
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
