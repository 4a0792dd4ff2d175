import { createHash } from "node:crypto";
import { basename } from "node:path";
import { and, eq, sql } from "drizzle-orm";
import type { CommitAttribution, CommitInput, FileAttribution } from "../../core/attribution/types.ts";
import type { Database } from "../db/client.ts";
import { organizations, repositories } from "../db/schema/index.ts";
import { storeCommitAttributions } from "./attribution/store.ts";
import type { ServiceContext } from "./context.ts";
import { type OrgCodeEvent, recordCodeEvents } from "./github/code-events.ts";
import { markMetricsStale } from "./metrics/pending.ts";

// What `sentinel analyze --store` writes: a local organization (slug `local`), one repository per
// analysed path, a `commit` code_event per commit and a code_attribution row per file. Every write
// is an upsert, so analysing the same commits again changes nothing but the engine's verdicts.

export const LOCAL_ORG_SLUG = "local";
const SHA = /^[0-9a-f]{40}$/;
/** The CLI reads every commit from git, with its notes, traces, CODEOWNERS and .gitattributes. */
const GIT_SOURCE = { reader: "git" } as const;

/** The `local` organization's id, creating it on first use. */
export async function ensureLocalOrganization(db: Database): Promise<string> {
  const [row] = await db
    .insert(organizations)
    .values({ name: "Local repositories", slug: LOCAL_ORG_SLUG })
    .onConflictDoUpdate({ target: organizations.slug, set: { slug: sql`excluded.slug` } })
    .returning({ id: organizations.id });
  if (!row) throw new Error("could not create the local organization");
  return row.id;
}

export interface LocalRepository {
  id: string;
  fullName: string;
  lastAnalyzedSha: string | null;
}

/**
 * The repository for a local path, created on first use as `local/<directory name>` (with a short
 * hash of the path when another path already took that name).
 */
export async function ensureLocalRepository(
  ctx: ServiceContext,
  input: { path: string; defaultBranch: string | null },
): Promise<LocalRepository> {
  const select = {
    id: repositories.id,
    fullName: repositories.fullName,
    lastAnalyzedSha: repositories.lastAnalyzedSha,
  };
  const [existing] = await ctx.db
    .select(select)
    .from(repositories)
    .where(and(eq(repositories.orgId, ctx.orgId), eq(repositories.localPath, input.path)));
  if (existing) return existing;

  const name = basename(input.path).replace(/[^A-Za-z0-9._-]+/g, "-") || "repository";
  const suffix = createHash("sha256").update(input.path).digest("hex").slice(0, 6);
  for (const fullName of [`local/${name}`, `local/${name}-${suffix}`]) {
    const [row] = await ctx.db
      .insert(repositories)
      .values({
        orgId: ctx.orgId,
        fullName,
        localPath: input.path,
        defaultBranch: input.defaultBranch ?? "main",
        isPrivate: true,
      })
      .onConflictDoNothing()
      .returning(select);
    if (row) return row;
  }
  throw new Error(`could not register repository ${input.path}`);
}

export interface AnalysedCommit {
  input: CommitInput;
  attribution: CommitAttribution;
  /** False for a shallow clone's boundary commit, whose diff git cannot show. */
  filesKnown: boolean;
}

export interface StoreResult {
  commits: number;
  files: number;
}

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
export async function storeLocalCommits(
  ctx: ServiceContext,
  repoId: string,
  branch: string | null,
  commits: readonly AnalysedCommit[],
): Promise<StoreResult> {
  if (commits.length === 0) return { commits: 0, files: 0 };
  const events: OrgCodeEvent[] = commits.map(({ input }) => {
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
      timestamp: new Date(input.committedAt),
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
        source: "cli",
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
      timestamps: commits.map(({ input }) => input.committedAt),
    });
    return { commits: commits.length, files };
  });
}

/** Remembers the newest commit analysed, so the next run reads only `<sha>..HEAD`. */
export async function markRepositoryAnalyzed(
  ctx: ServiceContext,
  repoId: string,
  input: { sha: string; branch: string | null },
): Promise<void> {
  await ctx.db
    .update(repositories)
    .set({ lastAnalyzedSha: input.sha, ...(input.branch ? { defaultBranch: input.branch } : {}) })
    .where(and(eq(repositories.orgId, ctx.orgId), eq(repositories.id, repoId)));
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
