import { parseAgentTraceJsonlWithReport } from "../../core/attribution/agent-trace.ts";
import { attributeCommit } from "../../core/attribution/engine.ts";
import { parseGitAiNote } from "../../core/attribution/git-ai.ts";
import type { FileScorer } from "../../core/attribution/scorer.ts";
import type {
  AgentTraceRecord,
  AttributionContext,
  CommitAttribution,
  CommitInput,
  ManualOverride,
} from "../../core/attribution/types.ts";
import type { TierRule } from "../../core/settings.ts";
import type { LogCommit } from "../../git/log-parser.ts";
import { countCommits, type LogRange, readGitLog } from "../../git/log-stream.ts";
import { isAncestor, readFirstRepoFile, readRepoFile } from "../../git/repo-files.ts";
import type { RepositoryInfo } from "../../git/repository.ts";
import type { AnalysedCommit } from "../../server/services/local-analysis.ts";
import { type CommitReport, commitReport } from "./commit-report.ts";
import type { AnalysisDocument, RangeFacts, StoredFacts } from "./json-document.ts";
import { SCHEMA_VERSION } from "./json-document.ts";
import { SummaryBuilder } from "./summary.ts";

export const SENTINEL_VERSION = "0.1.0";
const MAX_WARNINGS = 20;

export interface AnalysisRequest {
  repo: RepositoryInfo;
  /** Revisions from `--rev`; null: HEAD (incrementally when a previous analysis is known). */
  revisions: string[] | null;
  since?: string | undefined;
  firstParent: boolean;
  /** Newest commit of the previous stored analysis; null or undefined: read everything. */
  lastAnalyzedSha?: string | null;
  /** Called with every few hundred analysed commits, in order; awaited (it slows git down, not up). */
  sink?: (batch: AnalysedCommit[]) => Promise<void>;
  /** Asked once for the commit count, then told how many commits are done. */
  progress?: { start(total: number): void; tick(done: number): void; done(): void } | undefined;
  /** Rows kept for the top-files and strongest-evidence lists. */
  limit?: number;
  /**
   * What a stored analysis knows from the database, so it gives the verdicts the server would:
   * manual overrides by commit, the organization's active model and its tier rules.
   */
  stored?: StoredContext;
}

export interface StoredContext {
  overrides: Map<string, ManualOverride[]>;
  model: FileScorer | null;
  tierRules: TierRule[];
}

export interface AnalysisOutcome {
  document: AnalysisDocument;
  /** The commit the default range ended at: what to remember as analysed. Null for `--rev` ranges. */
  analysedTip: string | null;
}

class Warnings {
  readonly list: string[] = [];
  #dropped = 0;
  add(message: string): void {
    if (this.list.length < MAX_WARNINGS) this.list.push(message);
    else this.#dropped++;
  }
  done(): string[] {
    return this.#dropped > 0 ? [...this.list, `… and ${this.#dropped} more warnings`] : this.list;
  }
}

/** Reads the range with one `git log -p`, attributes each commit and builds the report. */
export async function runAnalysis(request: AnalysisRequest): Promise<AnalysisOutcome> {
  const { repo } = request;
  const warnings = new Warnings();
  const range = await resolveRange(request, warnings);
  const context = await loadContext(repo, warnings, request.stored);

  if (repo.shallowCommits.size > 0) {
    warnings.add(
      "shallow clone: history before the oldest fetched commit is missing, and that commit's files are left out (git fetch --unshallow reads it all)",
    );
  }

  if (request.progress) request.progress.start(await countCommits(repo.root, range.log));

  const summary = new SummaryBuilder(request.limit ?? 10);
  const commits: CommitReport[] = [];
  let pending: AnalysedCommit[] = [];
  let engineVersion: string | null = null;
  let done = 0;

  for await (const commit of readGitLog(repo.root, range.log, { gitAiNotes: repo.hasGitAiNotes })) {
    const boundary = repo.shallowCommits.has(commit.input.sha);
    const input: CommitInput = boundary ? { ...commit.input, files: [] } : commit.input;
    let attribution: CommitAttribution;
    try {
      attribution = attributeCommit(input, commitContext(commit, context, warnings));
    } catch (error) {
      // One commit the engine cannot read must not cost the whole history; it is named instead.
      warnings.add(
        `commit ${input.sha.slice(0, 7)} skipped: ${error instanceof Error ? error.message : String(error)}`,
      );
      request.progress?.tick(++done);
      continue;
    }
    engineVersion ??= attribution.engineVersion;
    const report = commitReport({ ...commit, input }, attribution, boundary);
    summary.add(report);
    commits.push(report);
    if (request.sink) {
      // Patches are not stored; dropping them keeps memory flat while a batch waits.
      pending.push({
        input: { ...input, files: input.files.map(({ patch: _p, ...f }) => f) },
        attribution,
        filesKnown: !boundary,
      });
      if (pending.length >= 500) {
        await request.sink(pending);
        pending = [];
      }
    }
    request.progress?.tick(++done);
  }
  if (request.sink && pending.length > 0) await request.sink(pending);
  request.progress?.done();

  const document: AnalysisDocument = {
    schemaVersion: SCHEMA_VERSION,
    generator: { name: "sentinel", version: SENTINEL_VERSION, engineVersion },
    repository: {
      path: repo.root,
      head: repo.head,
      branch: repo.branch,
      detached: repo.detached,
      shallow: repo.shallowCommits.size > 0,
      bare: repo.bare,
      gitAiNotes: repo.hasGitAiNotes,
      agentTraceRecords: context.traceCount,
    },
    range: range.facts,
    ...summary.build(),
    stored: null as StoredFacts | null,
    warnings: warnings.done(),
    commits,
  };
  // A --since run skipped older commits, so it must not mark the history as analysed up to its tip.
  return { document, analysedTip: request.since === undefined ? range.tip : null };
}

interface ResolvedRange {
  log: LogRange;
  facts: RangeFacts;
  tip: string | null;
}

async function resolveRange(request: AnalysisRequest, warnings: Warnings): Promise<ResolvedRange> {
  const { repo } = request;
  const base = { since: request.since, firstParent: request.firstParent };
  if (request.revisions !== null) {
    return {
      log: { ...base, revisions: request.revisions },
      facts: {
        revisions: request.revisions,
        since: request.since ?? null,
        firstParent: request.firstParent,
        incrementalFrom: null,
      },
      tip: null,
    };
  }
  // Pin HEAD to a sha first, so a commit made while we read is simply left for the next run.
  const tip = repo.head;
  if (!tip) throw new Error("HEAD has no commit");
  let revisions = [tip];
  let incrementalFrom: string | null = null;
  const last = request.lastAnalyzedSha;
  if (last) {
    if (last === tip || (await isAncestor(repo.root, last, tip))) {
      revisions = [`${last}..${tip}`];
      incrementalFrom = last;
    } else {
      warnings.add(
        `the last analysed commit ${last.slice(0, 7)} is no longer in this history; analysing all of it again`,
      );
    }
  }
  return {
    log: { ...base, revisions },
    facts: { revisions, since: request.since ?? null, firstParent: request.firstParent, incrementalFrom },
    tip,
  };
}

interface SharedContext {
  base: AttributionContext;
  tracesBySha: Map<string, AgentTraceRecord[]>;
  /** Records naming an abbreviated sha, matched by prefix. */
  shortTraces: AgentTraceRecord[];
  traceCount: number;
  overrides: Map<string, ManualOverride[]> | undefined;
}

async function loadContext(
  repo: RepositoryInfo,
  warnings: Warnings,
  stored: StoredContext | undefined,
): Promise<SharedContext> {
  const [gitattributes, codeowners, traces] = await Promise.all([
    readRepoFile(repo, ".gitattributes"),
    readFirstRepoFile(repo, [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"]),
    readRepoFile(repo, ".agent-trace/traces.jsonl"),
  ]);
  const text = (f: typeof traces) => (f && "text" in f ? f.text : null);
  const base: AttributionContext = {
    gitattributes: text(gitattributes),
    codeowners: text(codeowners),
    ...(stored ? { model: stored.model, tierRules: stored.tierRules } : {}),
  };
  const tracesBySha = new Map<string, AgentTraceRecord[]>();
  const shortTraces: AgentTraceRecord[] = [];
  let traceCount = 0;
  if (traces && "tooLarge" in traces)
    warnings.add(".agent-trace/traces.jsonl is larger than 64 MiB; Agent Trace records skipped");
  const tracesText = text(traces);
  if (tracesText !== null) {
    const { records, skipped } = parseAgentTraceJsonlWithReport(tracesText);
    if (skipped.length > 0) {
      const first = skipped[0];
      warnings.add(
        `.agent-trace/traces.jsonl: skipped ${skipped.length} line(s) that are not Agent Trace records (line ${first?.line}: ${first?.reason})`,
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
  return { base, tracesBySha, shortTraces, traceCount, overrides: stored?.overrides };
}

function commitContext(commit: LogCommit, shared: SharedContext, warnings: Warnings): AttributionContext {
  const { sha } = commit.input;
  let agentTraces = shared.tracesBySha.get(sha);
  if (shared.shortTraces.length > 0) {
    const short = shared.shortTraces.filter((r) => r.revision && sha.startsWith(r.revision.toLowerCase()));
    if (short.length > 0) agentTraces = [...(agentTraces ?? []), ...short];
  }
  let gitAiNote: AttributionContext["gitAiNote"] = null;
  if (commit.gitAiNote !== null) {
    try {
      gitAiNote = parseGitAiNote(commit.gitAiNote);
    } catch (error) {
      warnings.add(
        `git-ai note on ${sha.slice(0, 7)} ignored: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  const overrides = shared.overrides?.get(sha);
  if (!agentTraces && !gitAiNote && !overrides) return shared.base;
  return {
    ...shared.base,
    gitAiNote,
    ...(agentTraces ? { agentTraces } : {}),
    ...(overrides ? { overrides } : {}),
  };
}
