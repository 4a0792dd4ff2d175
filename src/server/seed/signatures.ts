import { AIDER_MODELS, type AiToolKey, BOTS, CLAUDE_NAMES } from "./fixtures.ts";
import type { Random } from "./random.ts";

// What each AI tool leaves in git and on GitHub, in the tools' own formats: authors, trailers,
// footers, branch names. Only the text: what it is worth as evidence is the engine's business.

export interface GitPerson {
  name: string;
  email: string;
  login: string | null;
}

export interface AiSignature {
  tool: AiToolKey;
  /** Agents that commit and open PRs as themselves. */
  botAuthor: GitPerson | null;
  /** aider appends " (aider)" to the author's name. */
  authorName: string | null;
  subjectPrefix: string;
  footer: string | null;
  trailers: string[];
  branch: string;
  /** Copilot's coding agent opens with an empty "Initial plan" commit. */
  initialPlan: boolean;
}

const CODEX_BOT: GitPerson = {
  name: "chatgpt-codex-connector[bot]",
  email: "199175422+chatgpt-codex-connector[bot]@users.noreply.github.com",
  login: "chatgpt-codex-connector[bot]",
};

/** The Copilot co-author trailer an editor extension once added to commits by itself. */
export const COPILOT_TRAILER = "Co-authored-by: Copilot <223556219+Copilot@users.noreply.github.com>";

/** The traces `tool` leaves on a change by `human` in `repoFullName`, on a branch named after `slug`. */
export function aiSignature(
  tool: AiToolKey,
  random: Random,
  human: GitPerson,
  repoFullName: string,
  slug: string,
): AiSignature {
  const base = {
    tool,
    botAuthor: null,
    authorName: null,
    subjectPrefix: "",
    footer: null,
    initialPlan: false,
  };
  const own = `${human.login ?? "dev"}/${slug}`;
  switch (tool) {
    case "claude-code": {
      const url = random.chance(0.7) ? "https://claude.com/claude-code" : "https://claude.ai/code";
      return {
        ...base,
        footer: `🤖 Generated with [Claude Code](${url})`,
        trailers: [`Co-Authored-By: ${random.pick(CLAUDE_NAMES)} <noreply@anthropic.com>`],
        branch: random.chance(0.6) ? `claude/${slug}` : own,
      };
    }
    case "cursor":
      return {
        ...base,
        trailers: ["Co-authored-by: Cursor Agent <cursoragent@cursor.com>"],
        branch: random.chance(0.5) ? `cursor/${slug}` : own,
      };
    case "copilot":
      return { ...base, trailers: [COPILOT_TRAILER], branch: own };
    case "copilot-agent":
      return {
        ...base,
        botAuthor: { ...BOTS.copilotAgent },
        trailers: [
          `Agent-Logs-Url: https://github.com/${repoFullName}/sessions/${random.uuid()}`,
          `Co-authored-by: ${human.name} <${human.email}>`,
        ],
        branch: `copilot/${slug}`,
        initialPlan: true,
      };
    case "codex":
      if (random.chance(0.3)) return { ...base, botAuthor: CODEX_BOT, trailers: [], branch: `codex/${slug}` };
      return { ...base, trailers: ["Co-authored-by: Codex <noreply@openai.com>"], branch: `codex/${slug}` };
    case "aider": {
      const model = random.pick(AIDER_MODELS);
      return {
        ...base,
        authorName: `${human.name} (aider)`,
        subjectPrefix: random.chance(0.4) ? "aider: " : "",
        trailers: [`Co-authored-by: aider (${model}) <aider@aider.chat>`],
        branch: own,
      };
    }
    case "devin":
      return {
        ...base,
        botAuthor: { ...BOTS.devin },
        trailers: [],
        branch: `devin/${random.int(1_760_000_000, 1_790_000_000)}-${slug}`,
      };
    case "amp":
      return {
        ...base,
        trailers: [
          "Co-authored-by: Amp <amp@ampcode.com>",
          `Amp-Thread-ID: https://ampcode.com/threads/T-${random.uuid()}`,
        ],
        branch: own,
      };
  }
}
