import { attributeCommit } from "../../core/attribution/engine.ts";
import {
  type CheckCommit,
  type CheckResult,
  checkCommitFromAttribution,
  evaluateCheck,
} from "../../core/policies/evaluate.ts";
import type { PolicySet } from "../../core/policies/schema.ts";
import { SENTINEL_VERSION } from "../../core/version.ts";
import { loadRepositoryEvidence, readCommitsFromGit } from "../../git/commit-input.ts";
import { isAncestor } from "../../git/repo-files.ts";
import type { RepositoryInfo } from "../../git/repository.ts";
import { resolveCommit } from "../../git/resolve-revision.ts";

// `sentinel check`: the commits of base..head read with the shared git reader (as `sentinel
// analyze` reads them), attributed by the engine, then judged by the same pure evaluation the
// App's check runs use. There is no review data in a clone: a CODEOWNER-review policy reports
// "requires review" instead of guessing.

export interface CheckRun {
  repo: RepositoryInfo;
  base: string;
  head: string;
  policies: PolicySet | null;
}

/** The JSON document `--json` writes (docs/checks.md). */
export interface CheckDocument extends CheckResult {
  schemaVersion: 1;
  generator: { name: "sentinel"; version: string; engineVersion: string | null };
  range: { base: string; head: string; baseSha: string; headSha: string };
  policiesSet: boolean;
  warnings: string[];
}

const MAX_WARNINGS = 20;

export async function runCheck(run: CheckRun): Promise<CheckDocument> {
  const { repo } = run;
  const [baseSha, headSha] = await Promise.all([
    resolveCommit(repo.root, run.base),
    resolveCommit(repo.root, run.head),
  ]);
  const warnings: string[] = [];
  const warn = (message: string) => {
    if (warnings.length < MAX_WARNINGS) warnings.push(message);
  };
  if (!(await isAncestor(repo.root, baseSha, headSha)))
    warn(
      `${run.base} is not an ancestor of ${run.head}: checking the commits of ${run.head} not in ${run.base}`,
    );
  if (repo.shallowCommits.size > 0)
    warn(
      "shallow clone: fetch the base too (actions/checkout with fetch-depth: 0) or commits may be missing",
    );

  // CODEOWNERS and .gitattributes as the head has them (a bare repository is read at the head).
  const atHead = { ...repo, head: headSha };
  const evidence = await loadRepositoryEvidence(atHead, warn);
  const commits: CheckCommit[] = [];
  let engineVersion: string | null = null;
  const range = { revisions: [`${baseSha}..${headSha}`], firstParent: false };
  for await (const commit of readCommitsFromGit(atHead, range, evidence, warn)) {
    const attribution = attributeCommit(commit.input, commit.context);
    engineVersion ??= attribution.engineVersion;
    commits.push(checkCommitFromAttribution(attribution, commit.input.message.split("\n", 1)[0] ?? ""));
  }
  const result = evaluateCheck({
    commits,
    policies: run.policies,
    codeowners: evidence.codeowners,
    review: null,
  });
  return {
    schemaVersion: 1,
    generator: { name: "sentinel", version: SENTINEL_VERSION, engineVersion },
    range: { base: run.base, head: run.head, baseSha, headSha },
    policiesSet: run.policies !== null && run.policies.policies.length > 0,
    ...result,
    warnings,
  };
}
