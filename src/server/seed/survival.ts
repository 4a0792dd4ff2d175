import type { FileChange } from "../../core/attribution/types.ts";
import { fileFates } from "../../core/survival/file-fates.ts";
import type { FileDiff, HistoryCommit, LineDigest } from "../../core/survival/history.ts";
import { LineLedger, OLDER } from "../../core/survival/ledger.ts";
import { RevertFinder } from "../../core/survival/reverts.ts";
import type { ServiceContext } from "../services/context.ts";
import { storedRevert } from "../services/survival/from-git.ts";
import { storeLineSurvival } from "../services/survival/store-line-survival.ts";
import type { SeedCommit } from "./history.ts";

// The demo's line survival. Seeded repositories have no git repository (and so no mirror): their
// history is the commits' patches, in the order they landed on main. Those patches are fed to the
// same line ledger and revert finder that walk a real `git log`, and stored by the same service,
// so every survival, churn and revert figure of the demo is computed by the product's code. The
// difference from a real repository: the patches were generated, not diffed, so the text they
// change is not the text earlier patches wrote; a file first met as modified is taken to have
// PRE_EXISTING_LINES lines older than the history (blame's boundary lines).

const PRE_EXISTING_LINES = 400;

/** FNV-1a over a line with whitespace removed (what `git diff -w` ignores), two seeds. */
function lineHashes(line: string): [number, number] {
  const text = line.replace(/\s+/g, "");
  let h1 = 0x811c9dc5;
  let h2 = 0x3b9aca07;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x01000193);
  }
  return [h1 >>> 0, h2 >>> 0];
}

function digestOf(lines: readonly string[]): LineDigest {
  let h1 = 0;
  let h2 = 0;
  for (const line of lines) {
    const [a, b] = lineHashes(line);
    h1 = (h1 + a) >>> 0;
    h2 = (h2 + b) >>> 0;
  }
  return { count: lines.length, h1, h2 };
}

/**
 * A unified patch (with context) as git's `-U0` hunks: `[oldStart, oldCount, newStart, newCount]`
 * per run of changed lines, where a zero count's start is the line after which the change sits.
 */
export function zeroContextHunks(patch: string): { hunks: number[]; removed: string[]; added: string[] } {
  const hunks: number[] = [];
  const removed: string[] = [];
  const added: string[] = [];
  let oldLine = 1;
  let newLine = 1;
  let run: { os: number; oc: number; ns: number; nc: number } | null = null;
  const flush = () => {
    if (run === null) return;
    hunks.push(run.oc > 0 ? run.os : run.os - 1, run.oc, run.nc > 0 ? run.ns : run.ns - 1, run.nc);
    run = null;
  };
  for (const line of patch.split("\n")) {
    const header = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (header) {
      flush();
      oldLine = Math.max(1, Number(header[1]));
      newLine = Math.max(1, Number(header[2]));
      continue;
    }
    if (line.startsWith("-")) {
      run ??= { os: oldLine, oc: 0, ns: newLine, nc: 0 };
      run.oc++;
      oldLine++;
      removed.push(line.slice(1));
    } else if (line.startsWith("+")) {
      run ??= { os: oldLine, oc: 0, ns: newLine, nc: 0 };
      run.nc++;
      newLine++;
      added.push(line.slice(1));
    } else if (line.startsWith(" ")) {
      flush();
      oldLine++;
      newLine++;
    }
  }
  flush();
  return { hunks, removed, added };
}

function fileDiff(sha: string, file: FileChange): FileDiff | null {
  if (file.binary || file.patch === undefined) return null;
  const { hunks, removed, added } = zeroContextHunks(file.patch);
  if (hunks.length === 0) return null;
  const isNew = file.status === "added";
  return {
    status: isNew ? "A" : "M",
    oldPath: isNew ? null : (file.previousPath ?? file.path),
    newPath: file.path,
    oldBlob: isNew ? null : `seed:${file.previousPath ?? file.path}`,
    newBlob: `seed:${sha}:${file.path}`,
    binary: false,
    hunks,
    removed: digestOf(removed),
    added: digestOf(added),
  };
}

/** Walks one seeded repository's landed commits through the ledger and stores the result. */
export async function seedLineSurvival(
  ctx: ServiceContext,
  repoId: string,
  commits: readonly SeedCommit[],
): Promise<number> {
  const landed = [...commits].sort((a, b) => a.landedAt.getTime() - b.landedAt.getTime());
  if (landed.length === 0) return 0;
  const ledger = new LineLedger();
  const reverts = new RevertFinder();
  let parent: string | null = null;
  landed.forEach((c, i) => {
    const { sha } = c.input;
    const diff = c.input.files.flatMap((f) => fileDiff(sha, f) ?? []);
    const commit: HistoryCommit = {
      sha,
      parents: parent === null ? [] : [parent],
      parentCount: parent === null ? 0 : 1,
      time: Math.floor(Date.parse(c.input.committedAt) / 1000),
      message: c.input.message,
      diffs: [diff.length > 0 ? diff : null],
      children: i === landed.length - 1 ? 0 : 1,
      shallow: false,
    };
    const needs = ledger.needs(commit);
    ledger.apply(commit, new Map(needs.map((blob) => [blob, PRE_EXISTING_LINES])));
    reverts.add({
      sha,
      message: commit.message,
      parentCount: commit.parentCount,
      diff: commit.diffs[0] ?? null,
    });
    parent = sha;
  });
  const tip = ledger.tips[0] ?? (landed[landed.length - 1] as SeedCommit).input.sha;
  let lines = 0;
  let older = 0;
  for (const ids of ledger.tree(tip)?.values() ?? []) {
    lines += ids.length;
    for (let i = 0; i < ids.length; i++) if (ids[i] === OLDER) older++;
  }
  const times = new Map(ledger.shas.map((sha, i) => [sha, ledger.times[i] as number]));
  const fates = fileFates(ledger, tip);
  await storeLineSurvival(ctx, {
    repoId,
    result: {
      source: "seed",
      tip,
      historyEnd: new Date(Math.max(...ledger.times) * 1000),
      commits: ledger.shas.length,
      linesAtTip: lines,
      olderLines: older,
      fates,
      reverts: reverts.links.map((l) => storedRevert(l, times)),
    },
    // The seed rebuilds every roll-up of the organization once it is written: nothing to mark.
    afterStore: async () => {},
  });
  return fates.length;
}
