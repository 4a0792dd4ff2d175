import { aiToolForLogin } from "../known-identities.ts";
import { makeSignal } from "../make-signal.ts";
import type { Signal } from "../signals.ts";
import type { PullRequestContext } from "../types.ts";
import { CLAUDE_CODE_FOOTER, CLAUDE_CODE_PLAIN_FOOTER } from "./tool-footer.ts";

/** Weak: labels are set by hand and mean what each team decides. */
export const PR_LABEL_WEIGHT = 0.5;
/** A PR description written by Claude Code; the commits may still have been edited by hand. */
export const PR_BODY_FOOTER_WEIGHT = 0.7;
/** The PR was opened by an AI tool's App account. */
export const PR_AUTHOR_WEIGHT = 0.9;

const AI_LABELS: ReadonlySet<string> = new Set([
  "ai-generated",
  "ai generated",
  "ai-assisted",
  "ai assisted",
  "ai-authored",
  "generated-by-ai",
  "llm-generated",
  "ai-code",
]);

/** The PR's labels, description footer and author account. */
export function detectPullRequest(pr: PullRequestContext): Signal[] {
  const out: Signal[] = [];
  const where = `PR #${pr.number}`;
  for (const label of pr.labels) {
    if (AI_LABELS.has(label.trim().toLowerCase())) {
      out.push(makeSignal("pr-label", null, null, `${where} label "${label}"`, PR_LABEL_WEIGHT));
      break;
    }
  }
  if (pr.body !== null) {
    for (const line of pr.body.split(/\r?\n/)) {
      if (CLAUDE_CODE_FOOTER.test(line) || CLAUDE_CODE_PLAIN_FOOTER.test(line.trimEnd())) {
        out.push(makeSignal("pr-body", "claude-code", null, `${where} body: ${line}`, PR_BODY_FOOTER_WEIGHT));
        break;
      }
    }
  }
  const author = aiToolForLogin(pr.authorLogin);
  if (author !== null) {
    out.push(
      makeSignal("pr-author", author.tool, null, `${where} opened by ${author.via}`, PR_AUTHOR_WEIGHT),
    );
  }
  return out;
}
