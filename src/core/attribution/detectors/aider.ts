import { makeSignal } from "../make-signal.ts";
import type { Signal } from "../signals.ts";
import type { CommitView } from "./commit-view.ts";

export const AIDER_NAME_WEIGHT = 0.9;
export const AIDER_PREFIX_WEIGHT = 0.85;

const AIDER_SUFFIX = / \(aider\)$/;
const AIDER_PREFIX = /^aider: \S/;

/** aider appends ` (aider)` to the author/committer name and may prefix the subject with `aider: `. */
export function detectAider(view: CommitView): Signal[] {
  const out: Signal[] = [];
  if (AIDER_SUFFIX.test(view.author.name)) {
    out.push(makeSignal("aider-name", "aider", null, `author name "${view.author.name}"`, AIDER_NAME_WEIGHT));
  } else if (AIDER_SUFFIX.test(view.committer.name)) {
    const evidence = `committer name "${view.committer.name}"`;
    out.push(makeSignal("aider-name", "aider", null, evidence, AIDER_NAME_WEIGHT));
  }
  if (AIDER_PREFIX.test(view.message.subject)) {
    out.push(makeSignal("aider-prefix", "aider", null, view.message.subject, AIDER_PREFIX_WEIGHT));
  }
  return out;
}
