import type { RevertLink } from "../../../core/survival/reverts.ts";
import { tipLines, walkFates, walkLineHistory, walkTip } from "../../../git/line-walk.ts";
import { inspectRepository } from "../../../git/repository.ts";
import { GitError, runGit } from "../../../git/run-git.ts";
import type { LineHistoryResult, LineHistorySource, StoredRevert } from "./store-line-survival.ts";

// Line survival of a repository from its git history: the App's mirror (a bare repository) or a
// local clone (`sentinel analyze --store`). The whole history of `revision` is walked, merges
// and side branches included, as `git blame -w` follows them (docs/metrics.md).

export async function lineHistoryFromGit(input: {
  /** Working tree or bare repository. */
  root: string;
  /** What to count at: `refs/heads/<default branch>` for a mirror, HEAD for a clone. */
  revision: string;
  source: LineHistorySource;
  signal?: AbortSignal;
}): Promise<LineHistoryResult | null> {
  const resolved = await runGit(input.root, ["rev-parse", "-q", "--verify", `${input.revision}^{commit}`]);
  const tip = resolved.stdout.toString("latin1").trim();
  if (resolved.code !== 0 || !/^[0-9a-f]{40,64}$/.test(tip))
    throw new GitError(`${input.revision} is not a commit of ${input.root}`);
  const repo = await inspectRepository(input.root, { revGiven: true });
  const walk = await walkLineHistory({
    root: input.root,
    range: { revisions: [tip], firstParent: false },
    shallow: repo.shallowCommits,
    ...(input.signal ? { signal: input.signal } : {}),
  });
  if (walk === null) return null;
  const end = walkTip(walk.ledger, tip);
  if (end === undefined) return null;
  const { ledger } = walk;
  const times = new Map(ledger.shas.map((sha, i) => [sha, ledger.times[i] as number]));
  let historyEnd = 0;
  for (const t of ledger.times) historyEnd = Math.max(historyEnd, t);
  const lines = await tipLines(input.root, walk, end);
  return {
    source: input.source,
    tip: end,
    historyEnd: new Date(historyEnd * 1000),
    commits: ledger.shas.length,
    linesAtTip: lines.lines,
    olderLines: lines.older,
    fates: walkFates(walk, end),
    reverts: walk.reverts.links.map((l) => storedRevert(l, times)),
  };
}

export function storedRevert(link: RevertLink, times: ReadonlyMap<string, number>): StoredRevert {
  const at = (sha: string) => {
    const t = times.get(sha);
    return t === undefined ? null : new Date(t * 1000);
  };
  return {
    sha: link.sha,
    reverted: link.reverted,
    method: link.method,
    inHistory: link.inWalk,
    committedAt: at(link.sha) ?? new Date(0),
    revertedCommittedAt: link.inWalk ? at(link.reverted) : null,
  };
}
