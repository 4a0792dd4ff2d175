import { makeSignal } from "../make-signal.ts";
import type { Signal } from "../signals.ts";
import type { CommitView } from "./commit-view.ts";

/** ` (aider)` on the author name: aider wrote the change (`--attribute-author`). */
export const AIDER_NAME_WEIGHT = 0.9;
/** Subject `aider: …` on a commit that is not one of aider's commits of the person's own edits. */
export const AIDER_PREFIX_WEIGHT = 0.85;
/**
 * ` (aider)` on the committer name only. aider marks the committer of every commit it makes,
 * including the commits of the person's own uncommitted ("dirty") edits it makes before applying
 * its changes and `/commit`; with default settings the changes it wrote itself carry the author
 * mark or its `Co-authored-by` trailer instead. So a committer-only mark says aider was in the
 * session, and the lines are most likely the person's: weak, below the 0.5 that counts lines as AI.
 */
export const AIDER_COMMITTER_ONLY_WEIGHT = 0.25;

const AIDER_SUFFIX = / \(aider\)$/;
// aider writes `aider: ` in lower case; people retype it capitalised. A space and a word must follow.
const AIDER_PREFIX = /^aider: \S/i;

/**
 * aider's marks: ` (aider)` appended to the author and/or committer name, and the optional subject
 * prefix `aider: ` (`--attribute-commit-message-author|committer`). Its `Co-authored-by: aider
 * (<model>) <aider@aider.chat>` trailer is read by the co-author detector.
 */
export function detectAider(view: CommitView): Signal[] {
  const out: Signal[] = [];
  const authorMarked = AIDER_SUFFIX.test(view.author.name);
  const committerOnly = !authorMarked && AIDER_SUFFIX.test(view.committer.name);
  if (authorMarked) {
    out.push(makeSignal("aider-name", "aider", null, `author name "${view.author.name}"`, AIDER_NAME_WEIGHT));
  } else if (committerOnly) {
    const evidence = `committer name "${view.committer.name}", author not marked: aider committed changes it may not have written (its commit of the person's own edits)`;
    out.push(makeSignal("aider-committer", "aider", null, evidence, AIDER_COMMITTER_ONLY_WEIGHT));
  }
  if (AIDER_PREFIX.test(view.message.subject)) {
    // `--attribute-commit-message-committer` prefixes every commit aider makes, its commits of the
    // person's edits included: beside a committer-only mark the prefix says no more than the mark.
    const weight = committerOnly ? AIDER_COMMITTER_ONLY_WEIGHT : AIDER_PREFIX_WEIGHT;
    out.push(makeSignal("aider-prefix", "aider", null, view.message.subject, weight));
  }
  return out;
}
