import { attributeCommit } from "../../core/attribution/engine.ts";
import type { FileScorer } from "../../core/attribution/scorer.ts";
import { compileTierContext } from "../../core/attribution/tiers.ts";
import type { AttributionContext, CommitAttribution, ManualOverride } from "../../core/attribution/types.ts";
import { orgSettingsSchema, type TierRule } from "../../core/settings.ts";
import { SENTINEL_VERSION } from "../../core/version.ts";
import { type CommitFromGit, loadRepositoryEvidence, readCommitsFromGit } from "../../git/commit-input.ts";
import { countCommits, type LogRange } from "../../git/log-stream.ts";
import { isAncestor } from "../../git/repo-files.ts";
import type { RepositoryInfo } from "../../git/repository.ts";
import type { AnalysedCommit } from "../../server/services/local-analysis.ts";
import { type CommitReport, commitReport } from "./commit-report.ts";
import type { AnalysisDocument, RangeFacts, StoredFacts } from "./json-document.ts";
import { SCHEMA_VERSION } from "./json-document.ts";
import {
  type LineHistorySection,
  lineHistoryReport,
  lineRecordCommits,
  VerdictIndex,
  walkLineHistory,
} from "./line-survival.ts";
import { SummaryBuilder } from "./summary.ts";

const MAX_WARNINGS = 20;
/** Runs that read no organization settings use their default. */
const DEFAULT_AI_HEAVY_THRESHOLD = orgSettingsSchema.parse({}).aiHeavyThreshold;
/** Commits per sink call: large enough that a database writes them in a few statements. */
const SINK_BATCH = 1000;

export interface AnalysisRequest {
  repo: RepositoryInfo;
  /** Revisions from `--rev`; null: HEAD (incrementally when a previous analysis is known). */
  revisions: string[] | null;
  since?: string | undefined;
  firstParent: boolean;
  /** Newest commit of the previous stored analysis; null or undefined: read everything. */
  lastAnalyzedSha?: string | null;
  /**
   * Called with every SINK_BATCH analysed commits, in order. The analysis goes on while a batch is
   * written, but at most one call is in flight: the next waits for it (a slow sink slows git down,
   * and memory stays bounded). runAnalysis returns, or throws, only once every call has settled.
   */
  sink?: (batch: AnalysedCommit[]) => Promise<void>;
  /** Commits per sink call; default SINK_BATCH. */
  sinkBatch?: number;
  /** Asked once for the commit count, then told how many commits are done. */
  progress?: { start(total: number): void; tick(done: number): void; done(): void } | undefined;
  /** Rows kept for the top-files and strongest-evidence lists. */
  limit?: number;
  /**
   * What a stored analysis knows from the database, so it gives the verdicts the server would:
   * manual overrides by commit, the organization's active model and its tier rules.
   */
  stored?: StoredContext;
  /** Survival, churn and reverts: a second pass over the same walk (default true). */
  survival?: boolean;
}

export interface StoredContext {
  overrides: Map<string, ManualOverride[]>;
  model: FileScorer | null;
  tierRules: TierRule[];
  /** The organization's AI-heavy threshold (revert rates); default 0.5. */
  aiHeavyThreshold?: number;
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
  const warn = (message: string) => warnings.add(message);
  const evidence = await loadRepositoryEvidence(repo, warn);

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
  const sink = request.sink ? new PipelinedSink(request.sink) : null;
  const verdicts =
    request.survival === false
      ? null
      : new VerdictIndex(
          compileTierContext({
            gitattributes: evidence.gitattributes,
            codeowners: evidence.codeowners,
            tierRules: request.stored?.tierRules ?? [],
          }),
        );
  // The line walk needs no verdicts until the end: it reads its own `git log` meanwhile.
  const lineAbort = new AbortController();
  const lineWalk =
    verdicts === null
      ? null
      : lineRecordCommits(repo, evidence).then((lineNumbersFor) =>
          walkLineHistory({ repo, range: range.log, lineNumbersFor, signal: lineAbort.signal }),
        );
  lineWalk?.catch(() => {}); // awaited below, unless reading the history failed first
  let read = false;

  try {
    for await (const commit of readCommitsFromGit(repo, range.log, evidence, warn)) {
      const { input, boundary } = commit;
      let attribution: CommitAttribution;
      const context = commitContext(commit, request.stored);
      try {
        attribution = attributeCommit(input, context);
      } catch (error) {
        // One commit the engine cannot read must not cost the whole history; it is named instead.
        warnings.add(
          `commit ${input.sha.slice(0, 7)} skipped: ${error instanceof Error ? error.message : String(error)}`,
        );
        request.progress?.tick(++done);
        continue;
      }
      engineVersion ??= attribution.engineVersion;
      const report = commitReport({ ...commit.log, input }, attribution, boundary);
      summary.add(report);
      commits.push(report);
      verdicts?.add(report, context, attribution);
      if (sink) {
        // Patches are not stored; dropping them keeps memory flat while a batch waits.
        pending.push({
          input: { ...input, files: input.files.map(({ patch: _p, ...f }) => f) },
          attribution,
          filesKnown: !boundary,
        });
        if (pending.length >= (request.sinkBatch ?? SINK_BATCH)) {
          await sink.send(pending);
          pending = [];
        }
      }
      request.progress?.tick(++done);
    }
    if (sink && pending.length > 0) await sink.send(pending);
    read = true;
  } finally {
    if (!read) lineAbort.abort();
    // Also when reading failed: the batch being written settles before the caller closes the database.
    await sink?.drain(false);
  }
  await sink?.drain(true);
  request.progress?.done();

  let lineHistory: LineHistorySection | null = null;
  // Survival is a section of the report: if its walk fails, the rest still stands.
  const walked = await lineWalk?.catch((error: unknown) => {
    warnings.add(`survival and churn skipped: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  });
  if (walked && verdicts !== null && commits.length > 0) {
    lineHistory = await lineHistoryReport(walked, {
      repo,
      firstParent: request.firstParent,
      verdicts,
      preferredEnd: range.tip ?? repo.head,
      aiHeavyThreshold: request.stored?.aiHeavyThreshold ?? DEFAULT_AI_HEAVY_THRESHOLD,
      warn,
    });
  }

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
      agentTraceRecords: evidence.traceCount,
    },
    range: range.facts,
    ...summary.build(),
    survival: lineHistory?.survival ?? null,
    churn: lineHistory?.churn ?? null,
    reverts: lineHistory?.reverts ?? null,
    stored: null as StoredFacts | null,
    warnings: warnings.done(),
    commits,
  };
  // A --since run skipped older commits, so it must not mark the history as analysed up to its tip.
  return { document, analysedTip: request.since === undefined ? range.tip : null };
}

/** A sink with at most one call in flight; its failure surfaces at the next send or drain. */
class PipelinedSink {
  readonly #sink: (batch: AnalysedCommit[]) => Promise<void>;
  #inFlight: Promise<void> | null = null;
  #failure: { error: unknown } | null = null;

  constructor(sink: (batch: AnalysedCommit[]) => Promise<void>) {
    this.#sink = sink;
  }

  /** Waits for the previous batch to be written, then starts writing this one. */
  async send(batch: AnalysedCommit[]): Promise<void> {
    await this.drain(true);
    this.#inFlight = this.#sink(batch).catch((error: unknown) => {
      this.#failure = { error };
    });
  }

  /** Waits for the batch in flight; rethrows its failure when asked to. */
  async drain(rethrow: boolean): Promise<void> {
    await this.#inFlight;
    this.#inFlight = null;
    if (rethrow && this.#failure) throw this.#failure.error;
  }
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

/** The engine's context for one commit: what git knows, then what the database knows. */
function commitContext(commit: CommitFromGit, stored: StoredContext | undefined): AttributionContext {
  if (!stored) return commit.context;
  const overrides = stored.overrides.get(commit.input.sha);
  return {
    ...commit.context,
    model: stored.model,
    tierRules: stored.tierRules,
    ...(overrides ? { overrides } : {}),
  };
}
