// Canonical tool ids, so "Claude Code", "claude" and "claude-code" count as one tool everywhere.
const ALIASES: ReadonlyMap<string, string> = new Map([
  ["claude", "claude-code"],
  ["claude-code", "claude-code"],
  ["claudecode", "claude-code"],
  ["anthropic", "claude-code"],
  ["copilot", "copilot"],
  ["github-copilot", "copilot"],
  ["copilot-agent", "copilot-agent"],
  ["copilot-swe-agent", "copilot-agent"],
  ["copilot-coding-agent", "copilot-agent"],
  ["cursor", "cursor"],
  ["cursor-agent", "cursor"],
  ["aider", "aider"],
  ["codex", "codex"],
  ["openai-codex", "codex"],
  ["codex-cli", "codex"],
  ["devin", "devin"],
  ["jules", "jules"],
  ["google-jules", "jules"],
  ["amp", "amp"],
  ["openhands", "openhands"],
  ["replit", "replit"],
  ["replit-agent", "replit"],
  ["amazon-q", "amazon-q"],
  ["amazon-q-developer", "amazon-q"],
  ["cline", "cline"],
  ["continue", "continue"],
  ["windsurf", "windsurf"],
  ["gemini", "gemini-cli"],
  ["gemini-cli", "gemini-cli"],
  ["opencode", "opencode"],
  ["chatgpt", "chatgpt"],
  ["copilot-chat", "copilot"],
  ["github-copilot-chat", "copilot"],
  ["gemini-code-assist", "gemini-code-assist"],
  ["crush", "crush"],
  ["codebuff", "codebuff"],
  ["roo-code", "roo-code"],
  ["kilo-code", "kilo-code"],
  ["kilocode", "kilo-code"],
]);

/** Lower-case, hyphenated, aliased: `GitHub Copilot` → `copilot`. Unknown names are kept, normalised. */
export function normaliseTool(name: string): string {
  const key = name
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, "-")
    .slice(0, 100);
  return ALIASES.get(key) ?? key;
}

/** True when the name is one of the AI tools we know (used where a free-text value must be vetted). */
export function isKnownTool(name: string): boolean {
  return ALIASES.has(
    name
      .trim()
      .toLowerCase()
      .replace(/[\s_]+/g, "-"),
  );
}

/** Each `(…)` replaced by a space, in one pass (`/\([^)]*\)/g` is quadratic on a run of `(`). */
function dropParenthesised(text: string): string {
  let out = "";
  let from = 0;
  for (;;) {
    const open = text.indexOf("(", from);
    const close = open === -1 ? -1 : text.indexOf(")", open + 1);
    if (close === -1) return out + text.slice(from);
    out += `${text.slice(from, open)} `;
    from = close + 1;
  }
}

/** `Claude Opus 4.7 (1M context)` → `claude-opus-4.7`: lower-case, hyphenated, qualifiers dropped. */
export function normaliseModel(name: string): string | null {
  const cleaned = dropParenthesised(name).trim().toLowerCase().replace(/\s+/g, "-").slice(0, 200);
  return cleaned === "" ? null : cleaned;
}
