// `npm run bench -- analyze-store` (or `node bench/analyze-store.ts`): what storing an analysis
// costs, on real history. Clones goreleaser (8,031 commits) from ../shared/corpus (beside the
// project; never copied into it), then times, in the same run and alternating so load drifts hit
// all alike: `git log -p` with the options analyze uses (the floor), `sentinel analyze --no-store`,
// and `sentinel analyze` storing into a new embedded database (PGlite; also into one created
// beforehand, to tell creating the database from storing into it) and into a scratch
// PostgreSQL database (TEST_DATABASE_URL's server; created and dropped here). Reports seconds and
// the ratio of each to `git log -p`. Aim: the stores ≤ 2.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import { inheritedEnvironment } from "../src/core/inherited-environment.ts";
import { gitLogArgs } from "../src/git/log-stream.ts";
import { testDatabaseUrl } from "../src/server/env.ts";

const ROOT = resolve(import.meta.dirname, "..");
const BIN = join(ROOT, "bin/sentinel.js");
const CORPUS = resolve(ROOT, "../shared/corpus");
const BUNDLE = "goreleaser__goreleaser.bundle";

interface Timing {
  /** Fastest run: the least disturbed by other load on a shared machine. */
  best: number;
  median: number;
  samples: number[];
  /** best / the best `git log -p`. */
  ratio: number;
}

export interface AnalyzeStoreBenchResult {
  name: "analyze-store";
  repository: string;
  commits: number;
  filesStored: number;
  runs: number;
  /** `git log -p` with analyze's own arguments (gitLogArgs), output drained. */
  gitLog: Timing;
  /** `sentinel analyze <clone> --no-store`. */
  noStore: Timing;
  /** `sentinel analyze <clone>` into a new SENTINEL_DATA_DIR: creating the embedded database included. */
  pglite: Timing;
  /** `sentinel db migrate` into a new SENTINEL_DATA_DIR: creating the embedded database alone. */
  pgliteCreateSeconds: number;
  /** `sentinel analyze <clone>` into an embedded database created (and migrated) beforehand, still empty. */
  pgliteCreated: Timing;
  /** `sentinel analyze <clone>` with DATABASE_URL naming an empty, new PostgreSQL database. */
  postgres: Timing;
  machine: { cpus: number; loadAverage1m: number };
}

async function query(connectionString: string, text: string): Promise<Array<Record<string, unknown>>> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}
const admin = (text: string) => query(testDatabaseUrl(), text);

/** Runs a command to completion, draining its output; wall seconds. */
function timed(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<number> {
  return new Promise((done, fail) => {
    const start = performance.now();
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stdout.on("data", () => {});
    child.stderr.on("data", (c: Buffer) => {
      stderr = (stderr + c.toString()).slice(-4096);
    });
    child.once("error", fail);
    child.once("close", (code) => {
      if (code !== 0) fail(new Error(`${command} ${args.join(" ")} exited ${code}: ${stderr.trim()}`));
      else done((performance.now() - start) / 1000);
    });
  });
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};
const timing = (samples: number[], floor: number): Timing => {
  const best = Math.min(...samples);
  return { best: r3(best), median: r3(median(samples)), samples: samples.map(r3), ratio: r3(best / floor) };
};

export async function benchAnalyzeStore(options: { runs?: number } = {}): Promise<AnalyzeStoreBenchResult> {
  const runs = options.runs ?? 3;
  const bundle = join(CORPUS, BUNDLE);
  if (!existsSync(bundle)) {
    throw new Error(
      `the corpus bundle ${bundle} is missing: this benchmark reads real history from ../shared/corpus beside the project`,
    );
  }
  const work = mkdtempSync(join(tmpdir(), "sentinel-bench-store-"));
  const database = `sentinel_bench_store_${process.pid}`;
  const url = new URL(testDatabaseUrl());
  url.pathname = `/${database}`;
  try {
    const clone = join(work, "goreleaser");
    const cloned = spawnSync("git", ["clone", "-q", bundle, clone], { encoding: "utf8" });
    if (cloned.status !== 0) throw new Error(`git clone ${bundle} failed: ${cloned.stderr.trim()}`);

    const base = inheritedEnvironment();
    delete base.DATABASE_URL;
    delete base.SENTINEL_DATA_DIR;
    const logArgs = gitLogArgs(
      "0123456789abcdef",
      { revisions: ["HEAD"], firstParent: false },
      { gitAiNotes: false },
    );
    const analyze = (env: NodeJS.ProcessEnv, ...extra: string[]) =>
      timed(process.execPath, [BIN, "analyze", clone, "--no-progress", ...extra], { cwd: work, env });
    const dataDir = (i: number) => join(work, `data-${i}`);

    // An empty, migrated embedded database, copied for each run that should not pay for creating it.
    const template = join(work, "data-template");
    const createSeconds = await timed(process.execPath, [BIN, "db", "migrate"], {
      cwd: work,
      env: { ...base, SENTINEL_DATA_DIR: template },
    });
    // Warm the page cache and the pack once.
    await timed("git", logArgs, { cwd: clone });
    const samples = {
      gitLog: [] as number[],
      noStore: [] as number[],
      pglite: [] as number[],
      pgliteCreated: [] as number[],
      postgres: [] as number[],
    };
    for (let i = 0; i < runs; i++) {
      samples.gitLog.push(await timed("git", logArgs, { cwd: clone }));
      samples.noStore.push(await analyze(base, "--no-store"));

      samples.pglite.push(await analyze({ ...base, SENTINEL_DATA_DIR: dataDir(i) }));
      rmSync(dataDir(i), { recursive: true, force: true });
      cpSync(template, dataDir(i), { recursive: true });
      samples.pgliteCreated.push(await analyze({ ...base, SENTINEL_DATA_DIR: dataDir(i) }));
      rmSync(dataDir(i), { recursive: true, force: true });

      await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin(`CREATE DATABASE ${database}`);
      samples.postgres.push(await analyze({ ...base, DATABASE_URL: url.toString() }));
    }
    const [stored] = await query(
      url.toString(),
      "SELECT (SELECT count(*) FROM code_events)::int AS commits, (SELECT count(*) FROM code_attribution)::int AS files",
    );

    const floor = Math.min(...samples.gitLog);
    return {
      name: "analyze-store",
      repository: BUNDLE,
      commits: Number(stored?.commits ?? 0),
      filesStored: Number(stored?.files ?? 0),
      runs,
      gitLog: timing(samples.gitLog, floor),
      noStore: timing(samples.noStore, floor),
      pglite: timing(samples.pglite, floor),
      pgliteCreateSeconds: r3(createSeconds),
      pgliteCreated: timing(samples.pgliteCreated, floor),
      postgres: timing(samples.postgres, floor),
      machine: { cpus: cpus().length, loadAverage1m: Math.round((loadavg()[0] ?? 0) * 10) / 10 },
    };
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => {});
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  process.stdout.write(`${JSON.stringify(await benchAnalyzeStore(), null, 2)}\n`);
}
