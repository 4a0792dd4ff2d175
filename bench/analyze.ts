// `npm run bench -- analyze` (or `node bench/analyze.ts`): builds a repository of 5,000 commits with
// `git fast-import` (deterministic: fixed PRNG seed, identities and dates), then times, in the same
// run, `git log -p` over the history (the floor: git's own reading) and `sentinel analyze --json
// --no-store` over the same range. Reports commits/s and the ratio of the two wall times.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { runAnalysis } from "../src/cli/analyze/run-analysis.ts";
import { inspectRepository } from "../src/git/repository.ts";

const BIN = join(import.meta.dirname, "../bin/sentinel.js");

export interface AnalyzeBenchResult {
  name: "analyze";
  commits: number;
  linesAdded: number;
  aiShare: number | null;
  buildSeconds: number;
  runs: number;
  /** `git log -p HEAD`, output drained: median and every sample, seconds. */
  gitLogSeconds: { median: number; samples: number[] };
  /** `node bin/sentinel.js analyze <repo> --json --no-store`, output drained. */
  analyzeSeconds: { median: number; samples: number[] };
  /** `node bin/sentinel.js --version`: the CLI's fixed start-up cost, part of every analyze run. */
  startupSeconds: number;
  /** The same analysis in this process (reader, engine, summary; no start-up, no JSON printing). */
  inProcessSeconds: number;
  commitsPerSecond: number;
  inProcessCommitsPerSecond: number;
  /** analyzeSeconds.median / gitLogSeconds.median. Aim: ≤ 2. */
  ratio: number;
  machine: { cpus: number; loadAverage1m: number };
}

/** Mulberry32: a small seeded PRNG, so the repository is the same on every machine. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const AUTHORS = [
  { who: "Dana Developer <dana@example.com>", trailer: "" },
  { who: "Sam Engineer <sam@example.com>", trailer: "" },
  {
    who: "Dana Developer <dana@example.com>",
    trailer: "\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n",
  },
  {
    who: "Sam Engineer <sam@example.com>",
    trailer: "\n\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>\n",
  },
  { who: "copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>", trailer: "" },
  { who: "Sam Engineer (aider) <sam@example.com>", trailer: "" },
];

/** The fast-import stream for `commits` commits touching `files` files (1–3 files a commit). */
export function fastImportStream(commits: number, files = 400, seed = 42): Buffer {
  const random = prng(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const contents: string[][] = Array.from({ length: files }, () => []);
  const parts: Buffer[] = [];
  const data = (text: string) => {
    const bytes = Buffer.from(text);
    parts.push(Buffer.from(`data ${bytes.length}\n`), bytes, Buffer.from("\n"));
  };
  let time = Date.UTC(2023, 0, 1) / 1000;
  for (let i = 1; i <= commits; i++) {
    time += 600 + pick(7200);
    const author = AUTHORS[pick(AUTHORS.length)] ?? { who: "Dana Developer <dana@example.com>", trailer: "" };
    parts.push(Buffer.from(`commit refs/heads/main\nmark :${i}\n`));
    parts.push(Buffer.from(`author ${author.who} ${time} +0000\ncommitter ${author.who} ${time} +0000\n`));
    data(`Change ${i}: update modules${author.trailer}`);
    if (i > 1) parts.push(Buffer.from(`from :${i - 1}\n`));
    const touched = new Set<number>();
    const count = 1 + pick(3);
    while (touched.size < count) touched.add(pick(files));
    for (const f of touched) {
      const body = contents[f] ?? [];
      const at = pick(body.length + 1);
      const added = Array.from(
        { length: 3 + pick(18) },
        (_, k) => `  const value${i}_${k} = compute(${pick(1000)}, "${f}");`,
      );
      const removed = body.length > 200 ? 5 + pick(20) : pick(3);
      body.splice(at, Math.min(removed, body.length - at), ...added);
      contents[f] = body;
      parts.push(Buffer.from(`M 100644 inline src/module-${f % 20}/file-${f}.ts\n`));
      data(`${body.join("\n")}\n`);
    }
  }
  parts.push(Buffer.from("done\n"));
  return Buffer.concat(parts);
}

function buildRepository(dir: string, commits: number): void {
  const git = (args: string[], input?: Buffer) => {
    const r = spawnSync("git", args, { cwd: dir, input, maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`git ${args[0]} failed: ${r.stderr.toString()}`);
  };
  git(["init", "-q", "-b", "main"]);
  git(["fast-import", "--quiet", "--done"], fastImportStream(commits));
  git(["reset", "-q", "--hard", "main"]);
}

/** Runs a command to completion, draining its stdout; wall seconds. */
function timed(command: string, args: string[], cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stdout.on("data", () => {});
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.once("error", reject);
    child.once("close", (code) => {
      if (code !== 0) reject(new Error(`${command} ${args.join(" ")} exited ${code}: ${stderr.trim()}`));
      else resolve((performance.now() - start) / 1000);
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};
const r3 = (x: number) => Math.round(x * 1000) / 1000;

export async function benchAnalyze(
  options: { commits?: number; runs?: number } = {},
): Promise<AnalyzeBenchResult> {
  const commits = options.commits ?? 5_000;
  const runs = options.runs ?? 3;
  const dir = mkdtempSync(join(tmpdir(), "sentinel-bench-analyze-"));
  try {
    const buildStart = performance.now();
    buildRepository(dir, commits);
    const buildSeconds = (performance.now() - buildStart) / 1000;

    // Warm the page cache and the pack once, then alternate so load drifts hit both alike.
    await timed("git", ["log", "-p", "HEAD"], dir);
    const gitSamples: number[] = [];
    const analyzeSamples: number[] = [];
    for (let i = 0; i < runs; i++) {
      gitSamples.push(await timed("git", ["log", "-p", "HEAD"], dir));
      analyzeSamples.push(await timed(process.execPath, [BIN, "analyze", dir, "--json", "--no-store"], dir));
    }
    const startupSeconds = await timed(process.execPath, [BIN, "--version"], dir);

    const inProcessStart = performance.now();
    const repo = await inspectRepository(dir, { revGiven: false });
    const { document } = await runAnalysis({ repo, revisions: null, firstParent: false });
    const inProcessSeconds = (performance.now() - inProcessStart) / 1000;

    const gitMedian = median(gitSamples);
    const analyzeMedian = median(analyzeSamples);
    return {
      name: "analyze",
      commits: document.summary.commits,
      linesAdded: document.summary.linesAdded,
      aiShare: document.summary.aiShare,
      buildSeconds: r3(buildSeconds),
      runs,
      gitLogSeconds: { median: r3(gitMedian), samples: gitSamples.map(r3) },
      analyzeSeconds: { median: r3(analyzeMedian), samples: analyzeSamples.map(r3) },
      startupSeconds: r3(startupSeconds),
      inProcessSeconds: r3(inProcessSeconds),
      commitsPerSecond: Math.round(document.summary.commits / analyzeMedian),
      inProcessCommitsPerSecond: Math.round(document.summary.commits / inProcessSeconds),
      ratio: Math.round((analyzeMedian / gitMedian) * 100) / 100,
      machine: { cpus: cpus().length, loadAverage1m: Math.round((loadavg()[0] ?? 0) * 10) / 10 },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  process.stdout.write(`${JSON.stringify(await benchAnalyze(), null, 2)}\n`);
}
