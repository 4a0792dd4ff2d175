// `npm run bench -- survival` (or `node bench/survival.ts`): what line survival, churn and reverts
// cost `sentinel analyze`, on real history. Clones goreleaser (8,031 commits) from ../shared/corpus
// (beside the project; never copied into it), then times, alternating so load drifts hit all alike:
// `git log -p` with analyze's arguments (the floor), the line walk's own `git log` (-w -U0, every
// merge parent), `sentinel analyze --no-store --no-survival` and `sentinel analyze --no-store`.
// Reports wall seconds (best and median), the ratio of each best to `git log -p`, and, where
// /usr/bin/time exists, CPU seconds (user + sys, children included) and peak RSS of the best run.
// Aim: the survival pass (analyze − analyze --no-survival) ≤ 3 × `git log -p`.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { inheritedEnvironment } from "../src/core/inherited-environment.ts";
import { lineHistoryArgs } from "../src/git/line-history.ts";
import { gitLogArgs } from "../src/git/log-stream.ts";

const ROOT = resolve(import.meta.dirname, "..");
const BIN = join(ROOT, "bin/sentinel.js");
const CORPUS = resolve(ROOT, "../shared/corpus");
const BUNDLE = "goreleaser__goreleaser.bundle";
const TIME = "/usr/bin/time";

interface Sample {
  wall: number;
  cpu: number | null;
  peakRssMiB: number | null;
}

interface Timing {
  best: number;
  median: number;
  samples: number[];
  /** best ÷ the best `git log -p`. */
  ratio: number;
  /** Of the fastest run. */
  cpuSeconds: number | null;
  peakRssMiB: number | null;
}

export interface SurvivalBenchResult {
  name: "survival";
  repository: string;
  runs: number;
  gitLog: Timing;
  lineLog: Timing;
  analyzeNoSurvival: Timing;
  analyze: Timing;
  /** analyze − analyze --no-survival (best runs), seconds and ÷ `git log -p`. */
  survivalCost: { seconds: number; ratio: number };
  machine: { cpus: number; loadAverage1m: number };
}

/** Runs a command to completion, draining its output. */
function run(command: string, args: string[], cwd: string, scratch: string): Promise<Sample> {
  const timeFile = join(scratch, "time.txt");
  const measured = existsSync(TIME);
  const [cmd, argv] = measured
    ? [TIME, ["-f", "%U %S %M", "-o", timeFile, command, ...args]]
    : [command, args];
  return new Promise((done, fail) => {
    const start = performance.now();
    const child = spawn(cmd, argv, { cwd, env: inheritedEnvironment(), stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stdout.on("data", () => {});
    child.stderr.on("data", (c: Buffer) => {
      stderr = (stderr + c.toString()).slice(-4096);
    });
    child.once("error", fail);
    child.once("close", (code) => {
      const wall = (performance.now() - start) / 1000;
      if (code !== 0) return fail(new Error(`${command} exited ${code}: ${stderr.trim()}`));
      if (!measured) return done({ wall, cpu: null, peakRssMiB: null });
      const [user = 0, sys = 0, rss = 0] = readFileSync(timeFile, "utf8").trim().split(/\s+/).map(Number);
      done({ wall, cpu: r3(user + sys), peakRssMiB: Math.round(rss / 1024) });
    });
  });
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};
const timing = (samples: Sample[], floor: number): Timing => {
  const walls = samples.map((s) => s.wall);
  const best = samples.reduce((a, b) => (b.wall < a.wall ? b : a));
  return {
    best: r3(best.wall),
    median: r3(median(walls)),
    samples: walls.map(r3),
    ratio: r3(best.wall / floor),
    cpuSeconds: best.cpu,
    peakRssMiB: best.peakRssMiB,
  };
};

export async function benchSurvival(options: { runs?: number } = {}): Promise<SurvivalBenchResult> {
  const runs = options.runs ?? 3;
  const bundle = join(CORPUS, BUNDLE);
  if (!existsSync(bundle)) {
    throw new Error(
      `the corpus bundle ${bundle} is missing: this benchmark reads real history from ../shared/corpus beside the project`,
    );
  }
  const work = mkdtempSync(join(tmpdir(), "sentinel-bench-survival-"));
  try {
    const clone = join(work, "goreleaser");
    const cloned = spawnSync("git", ["clone", "-q", bundle, clone], { encoding: "utf8" });
    if (cloned.status !== 0) throw new Error(`git clone ${bundle} failed: ${cloned.stderr.trim()}`);
    const range = { revisions: ["HEAD"], firstParent: false };
    const logArgs = gitLogArgs("0123456789abcdef", range, { gitAiNotes: false });
    const lineArgs = lineHistoryArgs("0123456789abcdef", range);
    const analyze = (...extra: string[]) =>
      run(
        process.execPath,
        [BIN, "analyze", clone, "--no-store", "--json", "--no-progress", ...extra],
        work,
        work,
      );

    await run("git", logArgs, clone, work); // warm the page cache and the pack
    const samples = {
      gitLog: [] as Sample[],
      lineLog: [] as Sample[],
      off: [] as Sample[],
      on: [] as Sample[],
    };
    for (let i = 0; i < runs; i++) {
      samples.gitLog.push(await run("git", logArgs, clone, work));
      samples.lineLog.push(await run("git", lineArgs, clone, work));
      samples.off.push(await analyze("--no-survival"));
      samples.on.push(await analyze());
    }
    const floor = Math.min(...samples.gitLog.map((s) => s.wall));
    const on = timing(samples.on, floor);
    const off = timing(samples.off, floor);
    return {
      name: "survival",
      repository: BUNDLE,
      runs,
      gitLog: timing(samples.gitLog, floor),
      lineLog: timing(samples.lineLog, floor),
      analyzeNoSurvival: off,
      analyze: on,
      survivalCost: { seconds: r3(on.best - off.best), ratio: r3((on.best - off.best) / floor) },
      machine: { cpus: cpus().length, loadAverage1m: Math.round((loadavg()[0] ?? 0) * 10) / 10 },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  process.stdout.write(`${JSON.stringify(await benchSurvival(), null, 2)}\n`);
}
