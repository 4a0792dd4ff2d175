import { detectAider } from "./detectors/aider.ts";
import { detectAssistedBy } from "./detectors/assisted-by.ts";
import { detectBotIdentity } from "./detectors/bot-identity.ts";
import { detectBranchPrefix } from "./detectors/branch.ts";
import { detectCoAuthor } from "./detectors/co-author.ts";
import type { CommitDetector, CommitView } from "./detectors/commit-view.ts";
import { detectDisclosureLine } from "./detectors/disclosure-line.ts";
import {
  detectEntire,
  ENTIRE_ATTRIBUTION,
  entireLineShare,
  entireShareSignal,
  type LineShare,
  poolLineShares,
} from "./detectors/entire.ts";
import { detectPullRequest } from "./detectors/pull-request.ts";
import { detectReplitAmp } from "./detectors/replit-amp.ts";
import { detectSessionLinks } from "./detectors/session-links.ts";
import { detectToolFooter } from "./detectors/tool-footer.ts";
import { isRevertMessage, type ParsedMessage, parseMessage } from "./message.ts";
import type { Signal } from "./signals.ts";
import type { CommitInput, PullRequestContext } from "./types.ts";

type CommitLike = PullRequestContext["commits"][number];

const COMMIT_DETECTORS: readonly CommitDetector[] = [
  detectCoAuthor,
  detectBotIdentity,
  detectToolFooter,
  detectAssistedBy,
  detectReplitAmp,
  detectSessionLinks,
  detectAider,
  detectEntire,
  detectDisclosureLine,
];

/**
 * The message the detectors read. A revert's added lines are the code from before the commit it
 * reverts, whoever made it, and its message often quotes the reverted one, trailers and all: the
 * detectors see only its subject (identities still count).
 */
function readableMessage(message: string): ParsedMessage {
  const parsed = parseMessage(message);
  return isRevertMessage(parsed) ? { subject: parsed.subject, body: [], trailers: [] } : parsed;
}

function viewOf(commit: CommitLike): CommitView {
  return {
    message: readableMessage(commit.message),
    author: commit.author,
    committer: commit.committer,
    authorLogin: commit.authorLogin ?? null,
    committerLogin: commit.committerLogin ?? null,
  };
}

function runDetectors(view: CommitView): Signal[] {
  const out: Signal[] = [];
  for (const detect of COMMIT_DETECTORS) out.push(...detect(view));
  return out;
}

function subjectOf(message: string): string {
  const end = message.indexOf("\n");
  return (end === -1 ? message : message.slice(0, end)).trim();
}

/**
 * Which of the PR's own commits speak for this commit. A squash merge drops their messages, so all
 * of them do; a rebase merge replays each one, so only the one with the same subject does; a merge
 * commit keeps them in history (they are attributed themselves), so none do. When the merge method
 * is not known, a single-parent commit that is not itself one of the PR's commits is a squash.
 */
function carriedOverCommits(input: CommitInput, pr: PullRequestContext): CommitLike[] {
  const own = pr.commits.filter((c) => c.sha !== input.sha);
  if (own.length === pr.commits.length - 1) return [];
  switch (pr.mergeMethod) {
    case "merge":
      return [];
    case "squash":
      return own;
    case "rebase": {
      const subject = subjectOf(input.message);
      return own.filter((c) => subjectOf(c.message) === subject);
    }
    default:
      return input.parents.length <= 1 ? own : [];
  }
}

const keyOf = (s: Signal) => `${s.detector}\u0000${s.tool ?? ""}\u0000${s.evidence}`;

/** Every commit-level signal: the message and identities, the branch, the PR and its carried-over commits. */
export function commitSignals(input: CommitInput, pr: PullRequestContext | null): Signal[] {
  const out = runDetectors(viewOf(input));
  out.push(...detectBranchPrefix(input.branch, "branch"));
  if (pr === null) return out;
  const seen = new Set(out.map(keyOf));
  const add = (s: Signal) => {
    const key = keyOf(s);
    if (seen.has(key)) return;
    seen.add(key);
    out.push(s);
  };
  for (const s of detectBranchPrefix(pr.headBranch, `PR #${pr.number} head branch`)) add(s);
  for (const s of detectPullRequest(pr)) add(s);
  const carried = carriedOverCommits(input, pr);
  let shareTool: string | null = null;
  for (const commit of carried) {
    for (const s of runDetectors(viewOf(commit))) {
      // The squashed commits' shares are pooled below into one, as the lines are.
      if (s.detector === ENTIRE_ATTRIBUTION) shareTool ??= s.tool;
      else add({ ...s, commitSha: commit.sha });
    }
  }
  if (!out.some((s) => s.detector === ENTIRE_ATTRIBUTION)) {
    const pooled = carriedShare(carried);
    if (pooled !== null) add(entireShareSignal(pooled, shareTool));
  }
  return out;
}

function carriedShare(carried: readonly CommitLike[]): LineShare | null {
  return poolLineShares(carried.map((c) => entireLineShare(readableMessage(c.message))));
}

/**
 * The share of the commit's added lines an agent wrote, as its own `Entire-Attribution` trailers
 * state it, else as the PR commits carried over to it (a squash merge) state it, pooled.
 */
export function commitLineShare(input: CommitInput, pr: PullRequestContext | null): LineShare | null {
  const own = entireLineShare(readableMessage(input.message));
  if (own !== null || pr === null) return own;
  return carriedShare(carriedOverCommits(input, pr));
}
