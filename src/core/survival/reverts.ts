import { GENERATED, LOCKFILE, VENDORED } from "../attribution/linguist.ts";
import type { FileDiff } from "./history.ts";

// Commits that revert earlier ones, found three ways, strongest first:
// 1. git's message: "This reverts commit <sha>." (`git revert` writes it), when the walk holds it;
// 2. GitHub's title: `Revert "<subject>"` (the Revert button; a squash merge appends " (#n)"),
//    matched to the latest earlier commit with that subject, with or without its own " (#n)";
// 3. the diff: identical, whitespace ignored, to the inverse of an earlier commit's diff, leaving
//    out generated and vendored files (lockfiles, dist/, minified files: Linguist's path rules),
//    which flip back and forth between unrelated commits and would pass for reverts.
// A revert of a revert is just a revert whose target is itself a revert.

export type RevertMethod = "message" | "title" | "inverse-diff";

export interface RevertLink {
  sha: string;
  /** The reverted commit: a commit of the walk, or the sha the message names when it is outside. */
  reverted: string;
  /** False when the message names a commit the walk did not read. */
  inWalk: boolean;
  method: RevertMethod;
}

export interface RevertInput {
  sha: string;
  message: string;
  /** More than one: a merge, found reverting only by its message or title. */
  parentCount: number;
  /** The diff against the first parent (a merge's: what `git revert -m 1` inverts); null when none. */
  diff: FileDiff[] | null;
}

const SHA_MESSAGE = /this reverts commit ([0-9a-f]{7,64})\b/i;
const TITLE = /^Revert "(.*)"(?:\s*\(#\d+\))?\s*$/;
const PR_SUFFIX = /\s*\(#\d+\)\s*$/;

const subjectOf = (message: string) => (message.split("\n", 1)[0] ?? "").trim();

/** FNV-1a over a string, 32 bits. */
function hash32(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Hashes a list of 32-bit words, then mixes the result (murmur3's finaliser). */
function words(values: readonly number[], seed: number): number {
  let h = seed;
  for (const v of values) {
    h = Math.imul(h ^ v, 0x01000193);
    h ^= h >>> 15;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const SEEDS = [0x811c9dc5, 0x3b9aca07] as const;

const GENERATED_PATHS = [LOCKFILE, ...VENDORED, ...GENERATED];

/** Whether a path is generated or vendored by Linguist's path rules: left out of inverse diffs. */
export function generatedOrVendored(path: string): boolean {
  return GENERATED_PATHS.some((rule) => rule.re.test(path));
}

/**
 * A commit's diff and its inverse, as comparable keys (null when the diff changes nothing once
 * whitespace is ignored). Lines count as a multiset per file and files as a set (sums of hashes),
 * so the keys do not depend on where lines sit, on how git aligned duplicates, or on file order.
 */
export function diffKeys(
  diff: readonly FileDiff[],
  ignorePath: (path: string) => boolean = () => false,
): { forward: string; inverse: string } | null {
  const forward = [0, 0];
  const inverse = [0, 0];
  let files = 0;
  for (const f of diff) {
    if (!f.binary && f.hunks.length === 0 && f.oldPath === f.newPath) continue;
    if ((f.oldPath !== null && ignorePath(f.oldPath)) || (f.newPath !== null && ignorePath(f.newPath)))
      continue;
    files++;
    const oldPath = hash32(f.oldPath ?? "", SEEDS[0]);
    const newPath = hash32(f.newPath ?? "", SEEDS[0]);
    const [from, to] = f.binary
      ? [
          [1, hash32(f.oldBlob ?? "", SEEDS[0])],
          [1, hash32(f.newBlob ?? "", SEEDS[0])],
        ]
      : [
          [f.removed.count, f.removed.h1, f.removed.h2],
          [f.added.count, f.added.h1, f.added.h2],
        ];
    SEEDS.forEach((seed, i) => {
      forward[i] = ((forward[i] as number) + words([oldPath, newPath, ...from, ...to], seed)) >>> 0;
      inverse[i] = ((inverse[i] as number) + words([newPath, oldPath, ...to, ...from], seed)) >>> 0;
    });
  }
  if (files === 0) return null;
  return { forward: `${files}:${forward.join(":")}`, inverse: `${files}:${inverse.join(":")}` };
}

/** Reads commits parents first and names the revert links among them. */
export class RevertFinder {
  readonly links: RevertLink[] = [];
  readonly #shas: string[] = [];
  readonly #bySha = new Set<string>();
  readonly #bySubject = new Map<string, string>();
  readonly #byBareSubject = new Map<string, string>();
  readonly #byInverse = new Map<string, string>();
  readonly #ignorePath: (path: string) => boolean;

  /** `ignorePath`: files the inverse-diff test leaves out (default: generated and vendored ones). */
  constructor(options: { ignorePath?: (path: string) => boolean } = {}) {
    this.#ignorePath = options.ignorePath ?? generatedOrVendored;
  }

  add(commit: RevertInput): RevertLink | null {
    const subject = subjectOf(commit.message);
    const keys = commit.diff === null ? null : diffKeys(commit.diff, this.#ignorePath);
    // A merge's diff only carries a branch in; it can be reverted (`git revert -m 1`), it reverts nothing.
    const link = this.#match(commit, subject, commit.parentCount > 1 ? null : (keys?.forward ?? null));
    if (link) this.links.push(link);

    this.#shas.push(commit.sha);
    this.#bySha.add(commit.sha);
    if (subject !== "") {
      this.#bySubject.set(subject, commit.sha);
      this.#byBareSubject.set(subject.replace(PR_SUFFIX, ""), commit.sha);
    }
    if (keys) this.#byInverse.set(keys.inverse, commit.sha);
    return link;
  }

  #match(commit: RevertInput, subject: string, forward: string | null): RevertLink | null {
    const named = SHA_MESSAGE.exec(commit.message)?.[1]?.toLowerCase();
    if (named !== undefined) {
      const found = this.#bySha.has(named) ? named : this.#shas.findLast((s) => s.startsWith(named));
      if (found !== undefined) return { sha: commit.sha, reverted: found, inWalk: true, method: "message" };
    }
    // A sha the walk does not hold (before the range, or a rewritten history): the title may still tell.
    const title = TITLE.exec(subject)?.[1];
    if (title !== undefined) {
      const found =
        this.#bySubject.get(title) ??
        this.#byBareSubject.get(title) ??
        this.#byBareSubject.get(title.replace(PR_SUFFIX, ""));
      if (found !== undefined) return { sha: commit.sha, reverted: found, inWalk: true, method: "title" };
    }
    if (forward !== null) {
      const found = this.#byInverse.get(forward);
      if (found !== undefined)
        return { sha: commit.sha, reverted: found, inWalk: true, method: "inverse-diff" };
    }
    if (named !== undefined) return { sha: commit.sha, reverted: named, inWalk: false, method: "message" };
    return null;
  }
}

export interface RevertRateInput {
  sha: string;
  /** Left out of the rates (a merge whose lines are counted on its branch's commits). */
  merge: boolean;
  /** AI lines ÷ added lines; null when nothing was added (never AI-heavy). */
  aiShare: number | null;
}

export interface RevertRate {
  commits: number;
  reverted: number;
}

/**
 * Of the non-merge commits, how many AI-heavy ones (AI share ≥ threshold) and how many others were
 * reverted by a later commit of the walk (whether or not that revert was reverted in turn).
 */
export function revertRates(
  commits: Iterable<RevertRateInput>,
  links: readonly RevertLink[],
  threshold: number,
): { aiHeavy: RevertRate; other: RevertRate } {
  const reverted = new Set(links.filter((l) => l.inWalk).map((l) => l.reverted));
  const aiHeavy = { commits: 0, reverted: 0 };
  const other = { commits: 0, reverted: 0 };
  for (const c of commits) {
    if (c.merge) continue;
    const side = c.aiShare !== null && c.aiShare >= threshold ? aiHeavy : other;
    side.commits++;
    if (reverted.has(c.sha)) side.reverted++;
  }
  return { aiHeavy, other };
}
