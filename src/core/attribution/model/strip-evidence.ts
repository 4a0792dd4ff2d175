// The model must never see the evidence its labels came from: an AI label is read from trailers,
// footers and tool identities, so if those reached the features the model would learn to spot the
// label, not the author. Added lines are file content, never the commit message, but files do carry
// such marks (a "Generated with Claude Code" header, a co-author line in a changelog-like comment,
// a bot address). This runs before every feature extraction, in training and in scoring alike.

// A line that states authorship by a tool or carries a trailer: dropped whole.
const EVIDENCE_LINE = new RegExp(
  [
    String.raw`\b(co-authored-by|signed-off-by|assisted-by|generated-by|made-with|claude-session|entire-checkpoint|entire-attribution)\s*:`,
    String.raw`\bgenerated (with|by|using)\b.{0,40}\b(ai|claude|copilot|cursor|aider|codex|chatgpt|gpt|gemini|devin|llm)\b`,
    String.raw`noreply@anthropic\.com|noreply@openai\.com|cursoragent@cursor\.com|\[bot\]@users\.noreply\.github\.com`,
    String.raw`\+copilot@users\.noreply\.github\.com`,
    "\u{1F916}",
  ].join("|"),
  "iu",
);

// Tool and vendor names, masked where they remain (prose in a comment, an identifier). "cursor" is
// masked only as the tool ("cursor agent", "made with cursor"): as a word it is a database cursor.
const TOOL_NAME =
  /\b(claude|anthropic|copilot|codex|chatgpt|openai|gemini|devin|aider|windsurf|codeium|tabnine|cursor[- ]?agent|made with cursor)\b/gi;

const MASK = "tool";

/** The added lines without label evidence: trailer-like and generated-by lines dropped, tool names masked. */
export function stripLabelEvidence(addedLines: readonly string[]): string[] {
  const kept: string[] = [];
  for (const line of addedLines) {
    if (EVIDENCE_LINE.test(line)) continue;
    kept.push(line.replace(TOOL_NAME, MASK));
  }
  return kept;
}
