import { makeSignal } from "../make-signal.ts";
import type { Signal } from "../signals.ts";
import type { CommitView } from "./commit-view.ts";

export const CLAUDE_CODE_FOOTER_WEIGHT = 0.9;
/** Reported by users rather than documented by Cursor, so a little weaker. */
export const MADE_WITH_CURSOR_WEIGHT = 0.8;

// `🤖 Generated with [Claude Code](https://claude.ai/code)` (older) or `(https://claude.com/claude-code)`.
// Anchored at the line start (the emoji is optional) so a quotation in prose does not fire.
export const CLAUDE_CODE_FOOTER = /^(?:🤖\s*)?Generated with \[Claude Code\]\(https?:\/\/[^)\s]+\)/u;

/** The footer Claude Code appends to a commit message; `Made-with: Cursor`. */
export function detectToolFooter(view: CommitView): Signal[] {
  const out: Signal[] = [];
  for (const line of view.message.body) {
    if (CLAUDE_CODE_FOOTER.test(line)) {
      out.push(makeSignal("tool-footer", "claude-code", null, line, CLAUDE_CODE_FOOTER_WEIGHT));
      break;
    }
  }
  for (const t of view.message.trailers) {
    if (t.key === "made-with" && /^cursor\b/i.test(t.value)) {
      out.push(makeSignal("tool-footer", "cursor", null, t.line, MADE_WITH_CURSOR_WEIGHT));
    }
  }
  return out;
}
