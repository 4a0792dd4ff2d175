import { and, eq } from "drizzle-orm";
import { attributeCommit } from "../../core/attribution/engine.ts";
import { parseGitAiNote } from "../../core/attribution/git-ai.ts";
import { examplesFromCommit } from "../../core/attribution/model/examples.ts";
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

export async function collectTrainingExamples(
  ctx: ServiceContext,
  input: { paths: readonly string[] },
): Promise<CollectedExamples> {
  const stored = await loadStoredLabels(ctx);
  const examples: TrainingExample[] = [];
  const perClass = { ai: 0, human: 0 };
  const summary: CollectedExamples["repositories"] = [];

  for (const path of input.paths) {
    const repo = await inspectRepository(path, { revGiven: false });
    if (repo.head === null) throw new GitError(`repository at ${repo.root} has no commits`);
    // A repository `sentinel analyze` registered keeps its id, so stored labels and splits agree.
    const [known] = await ctx.db
      .select({ id: repositories.id })
      .from(repositories)
      .where(and(eq(repositories.orgId, ctx.orgId), eq(repositories.localPath, repo.root)));
    const repoId = known?.id ?? `local:${repo.root}`;
    let commits = 0;
    let added = 0;
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
      for (const example of examplesFromCommit(commit.input, attribution, repoId, stored)) {
        if (perClass[example.label] >= MAX_EXAMPLES_PER_CLASS) continue;
        perClass[example.label]++;
        examples.push(example);
        added++;
      }
    }
    summary.push({ path: repo.root, repoId, commits, examples: added });
  }
  return { examples, repositories: summary };
}
