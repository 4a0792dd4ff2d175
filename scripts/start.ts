import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// `npm start`: build the dashboard when its sources are newer than the last build (or there is no
// build), then run the server. A fresh clone therefore needs only `npm install && npm start`.
const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const sourceDir = join(repoRoot, "src/web");
const builtIndex = join(repoRoot, "dist/web/index.html");
const buildInputs = [join(repoRoot, "vite.config.ts"), join(repoRoot, "package-lock.json")];

function newestMtime(path: string): number {
  const info = statSync(path, { throwIfNoEntry: false });
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

const built = statSync(builtIndex, { throwIfNoEntry: false })?.mtimeMs ?? 0;
const sources = Math.max(newestMtime(sourceDir), ...buildInputs.map(newestMtime));
if (built < sources) {
  process.stderr.write(built === 0 ? "building the dashboard…\n" : "dashboard sources changed; rebuilding…\n");
  const vite = join(repoRoot, "node_modules/vite/bin/vite.js");
  const result = spawnSync(process.execPath, [vite, "build", "--logLevel", "warn"], { cwd: repoRoot, stdio: "inherit" });
  if (result.status !== 0) {
    process.stderr.write("sentinel: the dashboard build failed (see above); the API will still start.\n");
  }
}

await import("../src/server/main.ts");
