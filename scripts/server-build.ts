import { renameSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { isStale, REPO_ROOT } from "./build-inputs.ts";

// `npm start` runs the server from one bundled file: resolving and compiling ~1,500 modules (ours,
// Drizzle's, Better Auth's) took longer than everything else in a warm start. The bundle sits three
// directories deep, as src/server/db/migrate.ts and src/server/http/static.ts do, so their
// `import.meta.url`-relative paths (drizzle/, dist/web/) resolve to the same places.
export const SERVER_BUNDLE = join(REPO_ROOT, "dist/server/bundle/main.mjs");
const INPUTS = ["src", "package-lock.json", "scripts/server-build.ts"];

/** Bundles src/server/main.ts when the bundle is missing or stale; returns false when it failed. */
export async function ensureServerBundled(
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<boolean> {
  if (!isStale("dist/server/bundle/main.mjs", INPUTS)) return true;
  const staging = `${SERVER_BUNDLE}.${process.pid}.tmp`;
  try {
    await build({
      entryPoints: [join(REPO_ROOT, "src/server/main.ts")],
      outfile: staging,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node24",
      sourcemap: "linked",
      sourcesContent: false,
      logLevel: "error",
      // PGlite loads its WebAssembly and data files next to its own module; pg-native is optional.
      external: ["@electric-sql/pglite", "pg-native"],
      // CommonJS dependencies inside an ES module bundle still call require().
      banner: {
        js: "import { createRequire as __sentinelRequire } from 'node:module'; const require = __sentinelRequire(import.meta.url);",
      },
    });
    renameSync(`${staging}.map`, `${SERVER_BUNDLE}.map`);
    renameSync(staging, SERVER_BUNDLE);
    return true;
  } catch (error) {
    log(
      `sentinel: bundling the server failed (${(error as Error).message.split("\n")[0]}); running from sources.`,
    );
    return false;
  }
}
