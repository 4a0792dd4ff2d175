// `npm run bench -- survival-store`: what storing line survival costs the server (issue #15), on real
// history. Clones goreleaser (8,031 commits) from ../shared/corpus as a bare repository (as a
// mirror is), then times: the line walk with its fates (lineHistoryFromGit), the first store into
// an in-memory PGlite (every row written), and a second walk + store of the same history (the cost
// of a push that changed nothing: rows compared, none written), each against `git log -p` of the
// same history timed in the same run. Reports peak RSS.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { openDatabase } from "../src/server/db/client.ts";
import { migrateDatabase } from "../src/server/db/migrate.ts";
import { lineHistoryFromGit } from "../src/server/services/survival/from-git.ts";
import { storeLineSurvival } from "../src/server/services/survival/store-line-survival.ts";

const ROOT = resolve(import.meta.dirname, "..");
const BUNDLE = resolve(ROOT, "../shared/corpus/goreleaser__goreleaser.bundle");

export async function benchSurvivalStore() {
  const work = mkdtempSync(join(tmpdir(), "sentinel-survival-store-"));
  const gitDir = join(work, "repo.git");
  const cloned = spawnSync("git", ["clone", "-q", "--bare", BUNDLE, gitDir]);
  if (cloned.status !== 0) throw new Error(`git clone failed: ${cloned.stderr}`);
  const baselineStart = performance.now();
  const log = spawnSync("git", ["--git-dir", gitDir, "log", "-p", "HEAD"], {
    maxBuffer: 1 << 30,
    stdio: ["ignore", "ignore", "pipe"],
  });
  if (log.status !== 0) throw new Error(`git log -p failed: ${log.stderr}`);
  const baseline = (performance.now() - baselineStart) / 1000;
  const handle = await openDatabase({ dataDir: join(work, "db") });
  try {
    await migrateDatabase(handle);
    const [org] = (
      await handle.db.execute(
        "INSERT INTO organizations (name, slug, plan) VALUES ('bench', 'bench', 'enterprise') RETURNING id",
      )
    ).rows;
    const [repo] = (
      await handle.db.execute(
        `INSERT INTO repositories (org_id, full_name) VALUES ('${org?.id}', 'goreleaser/goreleaser') RETURNING id`,
      )
    ).rows;
    const ctx = { db: handle.db, orgId: String(org?.id), actor: { kind: "system" as const } };
    const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
      const start = performance.now();
      const value = await fn();
      return [value, (performance.now() - start) / 1000];
    };
    const walk = () => lineHistoryFromGit({ root: gitDir, revision: "HEAD", source: "mirror" });
    const [result, walkSeconds] = await timed(walk);
    if (!result) throw new Error("empty history");
    const [first, firstStore] = await timed(() =>
      storeLineSurvival(ctx, { repoId: String(repo?.id), result }),
    );
    const [again, againSeconds] = await timed(async () => {
      const r = await walk();
      if (!r) throw new Error("empty history");
      return storeLineSurvival(ctx, { repoId: String(repo?.id), result: r });
    });
    return {
      gitLogPSeconds: +baseline.toFixed(2),
      walkRatio: +(walkSeconds / baseline).toFixed(2),
      commits: result.commits,
      rows: result.fates.length,
      reverts: result.reverts.length,
      walkSeconds: +walkSeconds.toFixed(2),
      firstStoreSeconds: +firstStore.toFixed(2),
      firstWritten: first.written,
      unchangedWalkAndStoreSeconds: +againSeconds.toFixed(2),
      unchangedWritten: again.written,
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    };
  } finally {
    await handle.close();
    rmSync(work, { recursive: true, force: true });
  }
}
