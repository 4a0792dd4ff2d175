// The AI identities we recognise, from docs/ai-signatures reference. Decisions are taken on an
// e-mail address or a bot identity, never on a display name: people are called Claude and Devin.

/** Exact e-mail addresses (lower-case) that only AI tools use. */
const AI_EMAILS: ReadonlyMap<string, string> = new Map([
  ["noreply@anthropic.com", "claude-code"],
  ["copilot@github.com", "copilot"],
  ["cursoragent@cursor.com", "cursor"],
  ["sos@cursor.sh", "cursor"],
  ["aider@aider.chat", "aider"],
  ["noreply@aider.chat", "aider"],
  ["noreply@openai.com", "codex"],
  ["codex@openai.com", "codex"],
  ["amp@ampcode.com", "amp"],
  ["openhands@all-hands.dev", "openhands"],
  // Charm's Crush (`Co-Authored-By: Crush <crush@charm.land>`) and Codebuff, in their own commits.
  ["crush@charm.land", "crush"],
  ["noreply@codebuff.com", "codebuff"],
]);

/**
 * GitHub accounts of AI tools, by numeric id (the part before `+` in a noreply address; ids are
 * never reused, logins can be renamed) and by login. Only these fire: Dependabot, Renovate,
 * github-actions and other automation are bots but not AI authors, so they are simply absent.
 */
const AI_ACCOUNTS: ReadonlyArray<{ id: number; login: string; tool: string }> = [
  { id: 209825114, login: "claude[bot]", tool: "claude-code" },
  { id: 208546643, login: "claude-code-action[bot]", tool: "claude-code" },
  { id: 198982749, login: "copilot-swe-agent[bot]", tool: "copilot-agent" },
  { id: 223556219, login: "copilot", tool: "copilot" },
  { id: 175728472, login: "copilot", tool: "copilot" },
  { id: 167198135, login: "copilot[bot]", tool: "copilot" },
  { id: 206951365, login: "cursor[bot]", tool: "cursor" },
  { id: 199175422, login: "chatgpt-codex-connector[bot]", tool: "codex" },
  { id: 215057067, login: "openai-codex[bot]", tool: "codex" },
  { id: 158243242, login: "devin-ai-integration[bot]", tool: "devin" },
  { id: 161369871, login: "google-labs-jules[bot]", tool: "jules" },
  { id: 208079219, login: "amazon-q-developer[bot]", tool: "amazon-q" },
  { id: 205137888, login: "cline[bot]", tool: "cline" },
  { id: 230936708, login: "continue[bot]", tool: "continue" },
  // Co-author when a person commits a change Gemini suggested in review.
  { id: 176961590, login: "gemini-code-assist[bot]", tool: "gemini-code-assist" },
];

const BY_ID: ReadonlyMap<number, string> = new Map(AI_ACCOUNTS.map((a) => [a.id, a.tool]));
/** Only `[bot]` logins: GitHub reserves that suffix for Apps, so no person can hold one. */
const BY_BOT_LOGIN: ReadonlyMap<string, string> = new Map(
  AI_ACCOUNTS.filter((a) => a.login.endsWith("[bot]")).map((a) => [a.login, a.tool]),
);

const NOREPLY_WITH_ID = /^(\d+)\+([^@\s]+)@users\.noreply\.github\.com$/;
const NOREPLY_BOT_LOGIN = /^([^@\s+]+\[bot\])@users\.noreply\.github\.com$/;

export interface IdentityMatch {
  tool: string;
  /** Why it matched, for the evidence text. */
  via: string;
}

/** The AI tool an e-mail address belongs to, or null. A bare noreply address matches nothing. */
export function aiToolForEmail(rawEmail: string): IdentityMatch | null {
  const email = rawEmail.trim().toLowerCase();
  const exact = AI_EMAILS.get(email);
  if (exact !== undefined) return { tool: exact, via: `address ${email}` };
  if (!email.endsWith("@users.noreply.github.com")) return null;
  const withId = NOREPLY_WITH_ID.exec(email);
  if (withId?.[1] !== undefined) {
    const tool = BY_ID.get(Number(withId[1]));
    return tool === undefined ? null : { tool, via: `GitHub account id ${withId[1]}` };
  }
  const botLogin = NOREPLY_BOT_LOGIN.exec(email);
  if (botLogin?.[1] !== undefined) {
    const tool = BY_BOT_LOGIN.get(botLogin[1]);
    return tool === undefined ? null : { tool, via: `GitHub App ${botLogin[1]}` };
  }
  return null;
}

/** The AI tool a GitHub login belongs to (only `[bot]` logins: the user `claude` is a person). */
export function aiToolForLogin(rawLogin: string | null | undefined): IdentityMatch | null {
  if (rawLogin == null) return null;
  const login = rawLogin.trim().toLowerCase();
  const tool = BY_BOT_LOGIN.get(login);
  return tool === undefined ? null : { tool, via: `GitHub App ${login}` };
}
