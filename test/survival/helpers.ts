import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LineLedger, OLDER, type VerdictLookup } from "../../src/core/survival/ledger.ts";
import { RevertFinder } from "../../src/core/survival/reverts.ts";
import { BlobLineCounter, openLineHistory } from "../../src/git/line-history.ts";
import { GitFixture, HUMAN, type Person } from "../cli/helpers/git-fixture.ts";

// Repositories for the survival tests, built in one `git fast-import` (any shape of history, merges
// whose result is whatever the test says, no conflicts), and the two answers to compare: the
// ledger's and `git blame`'s, line by line.

export interface PlannedCommit {
  /** Test-local name; the real sha comes back in `shas`. */
  id: string;
  parents: string[];
  /** The whole tree after the commit: path → content. */
  files: Record<string, string>;
  message?: string;
  /** Unix seconds. */
  time: number;
  author?: Person;
}

export interface BuiltRepo {
  repo: GitFixture;
  shas: Map<string, string>;
  sha(id: string): string;
}

export function buildHistory(commits: PlannedCommit[], branch = "main"): BuiltRepo {
  const repo = GitFixture.create("sentinel-survival-");
  const marks = new Map<string, number>();
  const chunks: Buffer[] = [];
  const data = (text: string) => {
    const body = Buffer.from(text, "utf8");
    chunks.push(Buffer.from(`data ${body.length}\n`), body, Buffer.from("\n"));
  };
  commits.forEach((c, i) => {
    marks.set(c.id, i + 1);
    const who = c.author ?? HUMAN;
    chunks.push(
      Buffer.from(
        `commit refs/heads/${branch}\nmark :${i + 1}\nauthor ${who.name} <${who.email}> ${c.time} +0000\ncommitter ${who.name} <${who.email}> ${c.time} +0000\n`,
      ),
    );
    data(c.message ?? c.id);
    const [first, ...rest] = c.parents;
    if (first !== undefined) chunks.push(Buffer.from(`from :${marks.get(first)}\n`));
    else if (i > 0) chunks.push(Buffer.from("from 0000000000000000000000000000000000000000\n"));
    for (const p of rest) chunks.push(Buffer.from(`merge :${marks.get(p)}\n`));
    chunks.push(Buffer.from("deleteall\n"));
    for (const [path, content] of Object.entries(c.files)) {
      chunks.push(Buffer.from(`M 100644 inline ${path}\n`));
      data(content);
    }
    chunks.push(Buffer.from("\n"));
  });
  const marksFile = join(repo.home, "marks");
  repo.git(["fast-import", "--quiet", `--export-marks=${marksFile}`], { input: Buffer.concat(chunks) });
  const byMark = new Map<number, string>();
  for (const line of readFileSync(marksFile, "utf8").split("\n")) {
    const [mark, sha] = line.split(" ");
    if (mark && sha) byMark.set(Number(mark.slice(1)), sha);
  }
  const shas = new Map<string, string>();
  for (const [id, mark] of marks) shas.set(id, byMark.get(mark) ?? "");
  repo.git(["symbolic-ref", "HEAD", `refs/heads/${branch}`]);
  repo.git(["reset", "-q", "--hard", `refs/heads/${branch}`]);
  return {
    repo,
    shas,
    sha: (id) => {
      const sha = shas.get(id);
      if (!sha) throw new Error(`no commit ${id}`);
      return sha;
    },
  };
}

/** Per file of `tip`, the sha git blame names for each line ("^" for boundary lines). */
export function blameOrigins(
  repo: GitFixture,
  tip: string,
  options: { firstParent?: boolean; range?: string } = {},
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const paths = repo.git(["ls-tree", "-r", "-z", "--name-only", tip]).split("\0").filter(Boolean);
  for (const path of paths) {
    if (path.includes("\uFFFD")) continue; // not UTF-8: git cannot be given this name from here
    const args = ["blame", "-w", "--root", "--porcelain", ...(options.firstParent ? ["--first-parent"] : [])];
    const text = repo.git([...args, options.range ?? tip, "--", path]);
    const boundary = new Set<string>();
    const lines: string[] = [];
    let current = "";
    for (const line of text.split("\n")) {
      const header = /^([0-9a-f]{40}) \d+ \d+/.exec(line);
      if (header?.[1]) {
        current = header[1];
        lines.push(current);
      } else if (line === "boundary") boundary.add(current);
    }
    out[path] = lines.map((sha) => (boundary.has(sha) ? "^" : sha));
  }
  return out;
}

const unknown: VerdictLookup = () => ({ lineClass: "unknown", tool: null, tier: null });

export interface LedgerRun {
  ledger: LineLedger;
  reverts: RevertFinder;
  tip: string;
  /** Per file of the tip, the sha of the commit each line came from ("^": older than the walk). */
  origins: Record<string, string[]>;
}

/** The ledger over `revisions`, as `sentinel analyze` runs it. */
export async function runLedger(
  root: string,
  revisions: string[],
  options: { firstParent?: boolean; verdict?: VerdictLookup; since?: string } = {},
): Promise<LedgerRun> {
  const walk = await openLineHistory(
    root,
    { revisions, firstParent: options.firstParent ?? false, since: options.since },
    new Set(),
  );
  const ledger = new LineLedger();
  const reverts = new RevertFinder();
  const blobs = new BlobLineCounter(root);
  try {
    for await (const commit of walk.commits()) {
      const needs = ledger.needs(commit);
      ledger.apply(commit, needs.length > 0 ? await blobs.count(needs) : undefined);
      reverts.add({
        sha: commit.sha,
        message: commit.message,
        parentCount: commit.parentCount,
        diff: commit.diffs[0] ?? null,
      });
    }
  } finally {
    blobs.close();
  }
  ledger.classify(options.verdict ?? unknown);
  const tip = ledger.tips[ledger.tips.length - 1] ?? "";
  const origins: Record<string, string[]> = {};
  for (const [path, ids] of ledger.tree(tip) ?? []) {
    origins[path] = [...ids].map((id) =>
      id === OLDER ? "^" : (ledger.shas[ledger.group(ledger.groupOf(id)).commit] ?? "?"),
    );
  }
  return { ledger, reverts, tip, origins };
}

/** Lines per origin commit: the tally the survival figures are made of. */
export function tally(origins: Record<string, string[]>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const shas of Object.values(origins)) for (const sha of shas) out[sha] = (out[sha] ?? 0) + 1;
  return out;
}

/** Only non-empty files: git blame lists every file, the ledger keeps no array for an empty one. */
export function nonEmpty(origins: Record<string, string[]>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(origins).filter(([, lines]) => lines.length > 0));
}
