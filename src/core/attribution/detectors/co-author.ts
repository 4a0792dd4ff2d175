import { aiToolForEmail } from "../known-identities.ts";
import { makeSignal } from "../make-signal.ts";
import { trailersNamed } from "../message.ts";
import type { Signal } from "../signals.ts";
import { normaliseModel } from "../tools.ts";
import type { CommitView } from "./commit-view.ts";

export const CO_AUTHOR_WEIGHT = 0.9;

// What an address may not contain, and what a name may not (a regular expression's `.`).
const NOT_IN_ADDRESS = /[<>\s]/;
const LINE_TERMINATOR = /[\n\r\u2028\u2029]/;
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

/**
 * `Name <address>` with the address last: the name (trailing spaces trimmed) and the address, or
 * null. String operations, linear in the value (the regular expression it replaces,
 * `^(.*?)\s*<([^<>\s]+)>$`, was quadratic on a name of spaces).
 */
function splitNameAndEmail(value: string): { name: string; email: string } | null {
  if (!value.endsWith(">")) return null;
  const open = value.lastIndexOf("<");
  if (open === -1) return null;
  const email = value.slice(open + 1, -1);
  if (email === "" || NOT_IN_ADDRESS.test(email)) return null;
  const name = value.slice(0, open).trimEnd();
  return LINE_TERMINATOR.test(name) ? null : { name, email };
}

/** `Co-authored-by: <name> <address>` where the address (not the name) belongs to an AI tool. */
export function detectCoAuthor(view: CommitView): Signal[] {
  const out: Signal[] = [];
  for (const trailer of trailersNamed(view.message, "co-authored-by")) {
    const parsed = splitNameAndEmail(trailer.value);
    if (parsed === null) continue;
    const match = aiToolForEmail(parsed.email);
    if (match === null) continue;
    out.push(
      makeSignal(
        "co-author-trailer",
        match.tool,
        modelFromName(match.tool, parsed.name),
        trailer.line,
        CO_AUTHOR_WEIGHT,
      ),
    );
  }
  return out;
}
