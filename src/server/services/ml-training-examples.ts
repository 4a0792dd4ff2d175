import { and, eq } from "drizzle-orm";
import { attributeCommit } from "../../core/attribution/engine.ts";
import { parseGitAiNote } from "../../core/attribution/git-ai.ts";
import {
  examplesFromCommit,
  NO_STORED_LABELS,
  type StoredLabels,
} from "../../core/attribution/model/examples.ts";
import type { TrainingExample } from "../../core/attribution/model/labels.ts";
import type { AttributionContext } from "../../core/attribution/types.ts";
import { readGitLog } from "../../git/log-stream.ts";
import { inspectRepository } from "../../git/repository.ts";
import { GitError } from "../../git/run-git.ts";
import { repositories } from "../db/schema/index.ts";
import type { ServiceContext } from "./context.ts";
import { loadStoredLabels } from "./ml-models.ts";

// Builds training examples from local git repositories: one `git log -p` per repository (the same
// streaming reader as `sentinel analyze`), the heuristic engine on each commit without a model or
// overrides, then the labelling rules with the organization's stored overrides and verdicts.

/** Past this many examples of a class, more add little and cost memory: later files are skipped. */
export const MAX_EXAMPLES_PER_CLASS = 25_000;

export interface CollectedExamples {
  examples: TrainingExample[];
  repositories: Array<{ path: string; repoId: string; commits: number; examples: number }>;
}

export interface ExampleOptions {
  /** Commits before this ISO instant are human (default: AI_ERA_START). */
  humanBefore?: string;
}

/**
 * The labelled files of one local repository's history, without a database: what `collectTrainingExamples`
 * reads per repository, and what the real-code benchmark reads from the corpus clones.
 */
export async function examplesFromRepository(
  path: string,
  input: {
    repoId?: string;
    stored?: StoredLabels;
    perClassLimit?: { ai: number; human: number };
  } & ExampleOptions = {},
): Promise<{ root: string; repoId: string; commits: number; examples: TrainingExample[] }> {
  const repo = await inspectRepository(path, { revGiven: false });
  if (repo.head === null) throw new GitError(`repository at ${repo.root} has no commits`);
  const repoId = input.repoId ?? `local:${repo.root}`;
  const stored = input.stored ?? NO_STORED_LABELS;
  const limit = input.perClassLimit ?? { ai: MAX_EXAMPLES_PER_CLASS, human: MAX_EXAMPLES_PER_CLASS };
  const perClass = { ai: 0, human: 0 };
  const examples: TrainingExample[] = [];
  let commits = 0;
  const log = readGitLog(
    repo.root,
    { revisions: ["HEAD"], firstParent: false },
    { gitAiNotes: repo.hasGitAiNotes },
  );
  for await (const commit of log) {
    commits++;
    if (repo.shallowCommits.has(commit.input.sha)) continue; // its diff is the whole tree, not a change
    const context: AttributionContext = {};
    if (commit.gitAiNote !== null) {
      try {
        context.gitAiNote = parseGitAiNote(commit.gitAiNote);
      } catch {
        // An unreadable note is no evidence; the trailers still count.
      }
    }
    const attribution = attributeCommit(commit.input, context);
    const options = input.humanBefore ? { humanBefore: input.humanBefore } : {};
    for (const example of examplesFromCommit(commit.input, attribution, repoId, stored, options)) {
      if (perClass[example.label] >= limit[example.label]) continue;
      perClass[example.label]++;
      examples.push(example);
    }
  }
  return { root: repo.root, repoId, commits, examples };
}

export async function collectTrainingExamples(
  ctx: ServiceContext,
  input: { paths: readonly string[] } & ExampleOptions,
): Promise<CollectedExamples> {
  const stored = await loadStoredLabels(ctx);
  const examples: TrainingExample[] = [];
  const perClass = { ai: 0, human: 0 };
  const summary: CollectedExamples["repositories"] = [];

  for (const path of input.paths) {
    const root = (await inspectRepository(path, { revGiven: false })).root;
    // A repository `sentinel analyze` registered keeps its id, so stored labels and splits agree.
    const [known] = await ctx.db
      .select({ id: repositories.id })
      .from(repositories)
      .where(and(eq(repositories.orgId, ctx.orgId), eq(repositories.localPath, root)));
    const read = await examplesFromRepository(root, {
      stored,
      perClassLimit: {
        ai: MAX_EXAMPLES_PER_CLASS - perClass.ai,
        human: MAX_EXAMPLES_PER_CLASS - perClass.human,
      },
      ...(known ? { repoId: known.id } : {}),
      ...(input.humanBefore ? { humanBefore: input.humanBefore } : {}),
    });
    for (const e of read.examples) perClass[e.label]++;
    examples.push(...read.examples);
    summary.push({
      path: read.root,
      repoId: read.repoId,
      commits: read.commits,
      examples: read.examples.length,
    });
  }
  return { examples, repositories: summary };
}
