import { parseAgentTraceJsonlWithReport } from "../core/attribution/agent-trace.ts";
import { parseGitAiNote } from "../core/attribution/git-ai.ts";
import type {
  AgentTraceRecord,
  AttributionContext,
  CommitInput,
  PullRequestContext,
} from "../core/attribution/types.ts";
import type { LogCommit } from "./log-parser.ts";
import { type LogRange, readGitLog } from "./log-stream.ts";
import { readFirstRepoFile, readRepoFile } from "./repo-files.ts";
import { inspectRepository, type RepositoryInfo } from "./repository.ts";
import { runGit } from "./run-git.ts";

// The one way Sentinel turns git history into the engine's input, for `sentinel analyze` and the
// App's attribute-commit job alike: the commit from the streaming `git log -p` reader, its git-ai
// note (refs/notes/ai), the Agent Trace records naming it, and the repository's CODEOWNERS and
// .gitattributes. Reading the same commit of the same repository gives the same input on both paths.

/** Told each thing the reader skipped, in one line a person can act on. */
export type Warn = (message: string) => void;

export const CODEOWNERS_PATHS = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];
export const AGENT_TRACE_PATH = ".agent-trace/traces.jsonl";

/**
 * What the repository says about every commit, read once: `.gitattributes` and CODEOWNERS (tiers)
 * and the Agent Trace records by the commit they name. Read from the working tree, or from
 * `repo.head` in a bare repository (Agent Trace writers append a commit's record after it exists,
 * so the newest copy is the one that names the most commits).
 */
export interface RepositoryEvidence {
  gitattributes: string | null;
  codeowners: string | null;
  tracesBySha: Map<string, AgentTraceRecord[]>;
  /** Records naming an abbreviated sha, matched by prefix. */
  shortTraces: AgentTraceRecord[];
  traceCount: number;
}

export async function loadRepositoryEvidence(repo: RepositoryInfo, warn: Warn): Promise<RepositoryEvidence> {
  const [gitattributes, codeowners, traces] = await Promise.all([
    readRepoFile(repo, ".gitattributes"),
    readFirstRepoFile(repo, CODEOWNERS_PATHS),
    readRepoFile(repo, AGENT_TRACE_PATH),
  ]);
  const text = (f: typeof traces) => (f && "text" in f ? f.text : null);
  const tracesBySha = new Map<string, AgentTraceRecord[]>();
  const shortTraces: AgentTraceRecord[] = [];
  let traceCount = 0;
  if (traces && "tooLarge" in traces)
    warn(`${AGENT_TRACE_PATH} is larger than 64 MiB; Agent Trace records skipped`);
  const tracesText = text(traces);
  if (tracesText !== null) {
    const { records, skipped } = parseAgentTraceJsonlWithReport(tracesText);
    if (skipped.length > 0) {
      const first = skipped[0];
      warn(
        `${AGENT_TRACE_PATH}: skipped ${skipped.length} line(s) that are not Agent Trace records (line ${first?.line}: ${first?.reason})`,
      );
    }
    for (const record of records) {
      const revision = record.revision?.toLowerCase();
      if (!revision) continue;
      traceCount++;
      if (revision.length >= 40) tracesBySha.set(revision, [...(tracesBySha.get(revision) ?? []), record]);
      else if (revision.length >= 7) shortTraces.push(record);
    }
  }
  return {
    gitattributes: text(gitattributes),
    codeowners: text(codeowners),
    tracesBySha,
    shortTraces,
    traceCount,
  };
}

/** The part of the engine's context that git knows. */
export type GitContext = Pick<
  AttributionContext,
  "gitattributes" | "codeowners" | "gitAiNote" | "agentTraces"
>;

/** One commit as the engine takes it, with what git knows around it. */
export interface CommitFromGit {
  /** The commit; a shallow clone's boundary commit comes with no files (git cannot show its diff). */
  input: CommitInput;
  context: GitContext;
  /** Oldest commit of a shallow clone. */
  boundary: boolean;
  /** The raw record (the note's text included), for reports. */
  log: LogCommit;
}

/** The git context of one commit: the repository's evidence plus its note and trace records. */
export function gitContextFor(commit: LogCommit, evidence: RepositoryEvidence, warn: Warn): GitContext {
  const { sha } = commit.input;
  let agentTraces = evidence.tracesBySha.get(sha);
  if (evidence.shortTraces.length > 0) {
    const short = evidence.shortTraces.filter((r) => r.revision && sha.startsWith(r.revision.toLowerCase()));
    if (short.length > 0) agentTraces = [...(agentTraces ?? []), ...short];
  }
  let gitAiNote: GitContext["gitAiNote"] = null;
  if (commit.gitAiNote !== null) {
    try {
      gitAiNote = parseGitAiNote(commit.gitAiNote);
    } catch (error) {
      warn(
        `git-ai note on ${sha.slice(0, 7)} ignored: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return {
    gitattributes: evidence.gitattributes,
    codeowners: evidence.codeowners,
    gitAiNote,
    ...(agentTraces ? { agentTraces } : {}),
  };
}

/**
 * Streams the commits of `range` (newest first) from one `git log -p` process, each with its git
 * context. `evidence` is read once by the caller (`loadRepositoryEvidence`), never per commit.
 */
export async function* readCommitsFromGit(
  repo: RepositoryInfo,
  range: LogRange,
  evidence: RepositoryEvidence,
  warn: Warn,
): AsyncGenerator<CommitFromGit> {
  for await (const log of readGitLog(repo.root, range, { gitAiNotes: repo.hasGitAiNotes })) {
    const boundary = repo.shallowCommits.has(log.input.sha);
    yield {
      input: boundary ? { ...log.input, files: [] } : log.input,
      context: gitContextFor(log, evidence, warn),
      boundary,
      log,
    };
  }
}

/**
 * A bare mirror (or any repository) opened for reading single commits, with its evidence read at
 * `revision` (the default branch; HEAD when that branch is missing).
 */
export interface OpenedRepository {
  repo: RepositoryInfo;
  evidence: RepositoryEvidence;
}

export async function openRepositoryAt(
  gitDir: string,
  revision: string | null,
  warn: Warn,
): Promise<OpenedRepository> {
  const inspected = await inspectRepository(gitDir, { revGiven: true });
  let head = inspected.head;
  if (revision) {
    const tip = await runGit(inspected.root, ["rev-parse", "-q", "--verify", `${revision}^{commit}`]);
    if (tip.code === 0) head = tip.stdout.toString("utf8").trim();
  }
  const repo = { ...inspected, head };
  return { repo, evidence: await loadRepositoryEvidence(repo, warn) };
}

/** Reads the named commits (each alone, `--no-walk`), in the order git gives them. */
export async function readCommitsBySha(
  opened: OpenedRepository,
  shas: string[],
  warn: Warn,
): Promise<CommitFromGit[]> {
  const out: CommitFromGit[] = [];
  const range: LogRange = { revisions: shas, firstParent: false, noWalk: true };
  for await (const commit of readCommitsFromGit(opened.repo, range, opened.evidence, warn)) out.push(commit);
  return out;
}

/**
 * The commits a squash or rebase merge landed, as the PR had them: on `refs/pull/<n>/head` and not
 * reachable from the merge commit's first parent. Headers only (no diffs); null when the mirror has
 * no such ref.
 */
export async function readPullRequestCommits(
  repo: RepositoryInfo,
  input: { number: number; mergeCommitSha: string; firstParent: string | null },
): Promise<PullRequestContext["commits"] | null> {
  const ref = `refs/pull/${input.number}/head`;
  const exists = await runGit(repo.root, ["rev-parse", "-q", "--verify", `${ref}^{commit}`]);
  if (exists.code !== 0) return null;
  const range: LogRange = {
    revisions: [ref, ...(input.firstParent ? [`^${input.firstParent}`] : [])],
    firstParent: false,
  };
  const newestFirst: PullRequestContext["commits"] = [];
  for await (const { input: c } of readGitLog(repo.root, range, { gitAiNotes: false, diffs: false })) {
    if (c.sha === input.mergeCommitSha) continue;
    newestFirst.push({
      sha: c.sha,
      message: c.message,
      author: c.author,
      committer: c.committer,
      authorLogin: null,
      committerLogin: null,
    });
  }
  // Oldest first, as GitHub lists a pull request's commits (and at most 250 of them).
  return newestFirst.reverse().slice(0, 250);
}
