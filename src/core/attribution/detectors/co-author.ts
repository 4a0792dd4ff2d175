import { aiToolForEmail } from "../known-identities.ts";
import { makeSignal } from "../make-signal.ts";
import { trailersNamed } from "../message.ts";
import type { Signal } from "../signals.ts";
import { normaliseModel } from "../tools.ts";
import type { CommitView } from "./commit-view.ts";

export const CO_AUTHOR_WEIGHT = 0.9;

const NAME_AND_EMAIL = /^(.*?)\s*<([^<>\s]+)>$/;
// Claude Code names the model in the trailer's name: "Claude Opus 4.6", "Claude Sonnet 4.5".
const CLAUDE_MODEL_NAME = /^claude\s+\S/i;
// aider: "aider (gpt-4o)" or "aider (anthropic/claude-3-5-sonnet)".
const AIDER_MODEL_NAME = /^aider\s*\(([^)]+)\)$/i;

function modelFromName(tool: string, name: string): string | null {
  if (tool === "claude-code" && CLAUDE_MODEL_NAME.test(name)) return normaliseModel(name);
  if (tool === "aider") {
    const m = AIDER_MODEL_NAME.exec(name.trim());
    return m?.[1] !== undefined ? m[1].trim() : null;
  }
  return null;
}

/** `Co-authored-by: <name> <address>` where the address (not the name) belongs to an AI tool. */
export function detectCoAuthor(view: CommitView): Signal[] {
  const out: Signal[] = [];
  for (const trailer of trailersNamed(view.message, "co-authored-by")) {
    const m = NAME_AND_EMAIL.exec(trailer.value);
    if (m?.[2] === undefined) continue;
    const match = aiToolForEmail(m[2]);
    if (match === null) continue;
    out.push(
      makeSignal(
        "co-author-trailer",
        match.tool,
        modelFromName(match.tool, m[1] ?? ""),
        trailer.line,
        CO_AUTHOR_WEIGHT,
      ),
    );
  }
  return out;
}
