import type { ParsedMessage } from "../message.ts";
import type { Signal } from "../signals.ts";
import type { Person } from "../types.ts";

/** What a commit-level detector may read: one commit, its message parsed once. */
export interface CommitView {
  message: ParsedMessage;
  author: Person;
  committer: Person;
  authorLogin: string | null;
  committerLogin: string | null;
}

export type CommitDetector = (view: CommitView) => Signal[];
