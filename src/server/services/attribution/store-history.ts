import type { CommitSource } from "../../../core/attribution/signals.ts";
import type { CommitAttribution, CommitInput, FileAttribution } from "../../../core/attribution/types.ts";
import type { Database } from "../../db/client.ts";
import type { ServiceContext } from "../context.ts";
import { type OrgCodeEvent, recordCodeEvents } from "../github/code-events.ts";
import { markMetricsStale } from "../metrics/pending.ts";
import { storeCommitAttributions } from "./store.ts";

// The one bulk path from analysed git history to the database, for `sentinel analyze --store` and
// the App's backfill alike: the commits' `commit` events, their files' attribution and the roll-up
// periods they touch, in one transaction per batch, a few statements however many commits.

export interface AnalysedCommit {
  input: CommitInput;
  attribution: CommitAttribution;
  /** False for a shallow clone's boundary commit, whose diff git cannot show. */
  filesKnown: boolean;
  /**
   * The author date, which GitHub's push payloads and commits API give as the commit's time: set
   * it where the same commits also arrive by webhook, so their events deduplicate.
   */
  authoredAt?: string;
}

export interface StoreResult {
  commits: number;
  files: number;
}

export interface HistoryBatch {
  repoId: string;
  branch: string | null;
  /** What the events' metadata names as their origin. */
  source: "cli" | "backfill";
  commits: readonly AnalysedCommit[];
  /** Further writes that must land with the batch (progress, merge methods), in its transaction. */
  alsoInTransaction?: (tx: Database) => Promise<void>;
}

const SHA = /^[0-9a-f]{40}$/;
/** Every commit of a batch was read from git, with its notes, traces, CODEOWNERS and .gitattributes. */
const GIT_SOURCE: CommitSource = { reader: "git" };

/** At most n UTF-16 units; a surrogate pair cut in two leaves U+FFFD, never half a character. */
const cut = (s: string, n: number) => (s.length <= n ? s : s.slice(0, n).toWellFormed());
const person = (p: { name: string; email: string }) => ({
  name: cut(p.name, 500),
  email: cut(p.email, 500),
  login: null,
});

/**
 * Stores analysed commits in one transaction, set-wise: one statement for their `commit` events,
 * one per few thousand files for their attribution, one for the stale roll-up periods, however
 * many commits. Either the whole batch is stored or none of it; re-storing a commit adds nothing.
 */
export async function storeAnalysedCommits(ctx: ServiceContext, batch: HistoryBatch): Promise<StoreResult> {
  const { repoId, branch, commits } = batch;
  if (commits.length === 0) return { commits: 0, files: 0 };
  const events: OrgCodeEvent[] = commits.map(({ input, authoredAt }) => {
    let additions = 0;
    let deletions = 0;
    for (const f of input.files) {
      additions += f.additions;
      deletions += f.deletions;
    }
    return {
      orgId: ctx.orgId,
      repoId,
      eventType: "commit",
      commitSha: input.sha,
      timestamp: new Date(authoredAt || input.committedAt),
      actor: cut(input.author.name || input.author.email, 255) || null,
      sourceKey: input.sha,
      // Validated once, by recordCodeEvents.
      metadata: {
        message: cut(input.message, 100_000),
        author: person(input.author),
        committer: person(input.committer),
        parents: input.parents.filter((p) => SHA.test(p)).slice(0, 64),
        branch: branch === null ? null : cut(branch, 255),
        additions,
        deletions,
        filesChanged: input.files.length,
        url: null,
        source: batch.source,
      },
    };
  });
  const attributions = commits.flatMap(({ input, attribution, filesKnown }) =>
    filesKnown
      ? [{ repoId, committedAt: input.committedAt, result: uniquePaths(attribution), source: GIT_SOURCE }]
      : [],
  );
  return ctx.db.transaction(async (tx) => {
    await recordCodeEvents(tx, events);
    const files = await storeCommitAttributions({ ...ctx, db: tx }, attributions);
    // The roll-up sweep (running with `npm start`) recomputes these periods' repo_metrics.
    await markMetricsStale(tx, {
      orgId: ctx.orgId,
      repoId,
      // Events count in the period of their time, attribution in that of the commit's.
      timestamps: [...events.map((e) => e.timestamp), ...commits.map(({ input }) => input.committedAt)],
    });
    await batch.alsoInTransaction?.(tx);
    return { commits: commits.length, files };
  });
}

/**
 * Two paths that differ only in bytes that are not UTF-8 decode to the same text; one upsert must
 * not touch a row twice, so such files are merged into one row.
 */
function uniquePaths(attribution: CommitAttribution): CommitAttribution {
  const byPath = new Map<string, FileAttribution>();
  for (const file of attribution.files) {
    const prev = byPath.get(file.path);
    if (!prev) {
      byPath.set(file.path, file);
      continue;
    }
    byPath.set(file.path, {
      ...prev,
      linesAdded: prev.linesAdded + file.linesAdded,
      linesDeleted: prev.linesDeleted + file.linesDeleted,
      lines: {
        ai: prev.lines.ai + file.lines.ai,
        human: prev.lines.human + file.lines.human,
        unknown: prev.lines.unknown + file.lines.unknown,
      },
    });
  }
  return byPath.size === attribution.files.length
    ? attribution
    : { ...attribution, files: [...byPath.values()] };
}
