import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// What `npm start` builds from: a build is stale when any of its inputs is newer than its output.
export const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

function newestMtime(path: string): number {
  const info = statSync(path, { throwIfNoEntry: false });
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** True when `output` is missing or older than any of `inputs` (files or directories, from the root). */
export function isStale(output: string, inputs: readonly string[]): boolean {
  const built = statSync(join(REPO_ROOT, output), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  return built < Math.max(...inputs.map((input) => newestMtime(join(REPO_ROOT, input))));
}
