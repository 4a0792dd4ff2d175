import type { Signal } from "../../../core/attribution/signals.ts";
import { normaliseModel } from "../../../core/attribution/tools.ts";
import { AIDER_MODELS, type AiToolKey, BOTS, CLAUDE_MODELS } from "./fixtures.ts";
import type { Random } from "./random.ts";

// What each AI tool leaves in a commit, and the signals the attribution engine reads from it.
// Weights mirror the engine's detectors (co-author 0.9, bot author 0.95, Claude Code footer 0.9).

export interface GitPerson {
  name: string;
  email: string;
  login: string | null;
}

export interface AiSignature {
  tool: AiToolKey;
  model: string | null;
  /** Agents that commit and open PRs as themselves. */
  botAuthor: GitPerson | null;
  /** aider appends " (aider)" to the author's name. */
  authorName: string | null;
  subjectPrefix: string;
  footer: string | null;
  trailers: string[];
  branch: string;
  signals: Signal[];
}

const signal = (
  detector: string,
  tool: string,
  model: string | null,
  evidence: string,
  weight: number,
): Signal => ({
  detector,
  tool,
  model,
  evidence,
  weight,
});

const person = (p: { name: string; email: string; login: string }): GitPerson => ({ ...p });

/** The traces `tool` leaves on a change by `human` in `repoFullName`, on a branch named after `slug`. */
export function aiSignature(
  tool: AiToolKey,
  random: Random,
  human: GitPerson,
  repoFullName: string,
  slug: string,
): AiSignature {
  const base = { tool, model: null, botAuthor: null, authorName: null, subjectPrefix: "", footer: null };
  switch (tool) {
    case "claude-code": {
      const [display, model] = random.pick(CLAUDE_MODELS);
      const trailer = `Co-Authored-By: ${display} <noreply@anthropic.com>`;
      const url = random.chance(0.7) ? "https://claude.com/claude-code" : "https://claude.ai/code";
      const footer = `🤖 Generated with [Claude Code](${url})`;
      const normalised = model === null ? null : normaliseModel(display);
      return {
        ...base,
        model: normalised,
        footer,
        trailers: [trailer],
        branch: `claude/${slug}`,
        signals: [
          signal("co-author-trailer", tool, normalised, trailer, 0.9),
          signal("tool-footer", tool, null, footer, 0.9),
        ],
      };
    }
    case "cursor": {
      const trailer = "Co-authored-by: Cursor Agent <cursoragent@cursor.com>";
      return {
        ...base,
        trailers: [trailer],
        branch: random.chance(0.5) ? `cursor/${slug}` : `${human.login ?? "dev"}/${slug}`,
        signals: [signal("co-author-trailer", tool, null, trailer, 0.9)],
      };
    }
    case "copilot": {
      const trailer = "Co-authored-by: Copilot <223556219+Copilot@users.noreply.github.com>";
      return {
        ...base,
        trailers: [trailer],
        branch: `${human.login ?? "dev"}/${slug}`,
        signals: [signal("co-author-trailer", tool, null, trailer, 0.9)],
      };
    }
    case "copilot-agent": {
      const bot = person(BOTS.copilotAgent);
      return {
        ...base,
        botAuthor: bot,
        trailers: [
          `Agent-Logs-Url: https://github.com/${repoFullName}/sessions/${random.uuid()}`,
          `Co-authored-by: ${human.name} <${human.email}>`,
        ],
        branch: `copilot/${slug}`,
        signals: [signal("bot-author", tool, null, `${bot.name} <${bot.email}>`, 0.95)],
      };
    }
    case "codex": {
      if (random.chance(0.3)) {
        const bot: GitPerson = {
          name: "chatgpt-codex-connector[bot]",
          email: "199175422+chatgpt-codex-connector[bot]@users.noreply.github.com",
          login: "chatgpt-codex-connector[bot]",
        };
        return {
          ...base,
          botAuthor: bot,
          trailers: [],
          branch: `codex/${slug}`,
          signals: [signal("bot-author", tool, null, `${bot.name} <${bot.email}>`, 0.95)],
        };
      }
      const trailer = "Co-authored-by: Codex <noreply@openai.com>";
      return {
        ...base,
        trailers: [trailer],
        branch: `codex/${slug}`,
        signals: [signal("co-author-trailer", tool, null, trailer, 0.9)],
      };
    }
    case "aider": {
      const model = random.pick(AIDER_MODELS);
      const name = `${human.name} (aider)`;
      const trailer = `Co-authored-by: aider (${model}) <aider@aider.chat>`;
      return {
        ...base,
        model,
        authorName: name,
        subjectPrefix: random.chance(0.4) ? "aider: " : "",
        trailers: [trailer],
        branch: `${human.login ?? "dev"}/${slug}`,
        signals: [
          signal("aider-suffix", tool, null, `${name} <${human.email}>`, 0.9),
          signal("co-author-trailer", tool, model, trailer, 0.9),
        ],
      };
    }
    case "devin": {
      const bot = person(BOTS.devin);
      return {
        ...base,
        botAuthor: bot,
        trailers: [],
        branch: `devin/${random.int(1_760_000_000, 1_790_000_000)}-${slug}`,
        signals: [signal("bot-author", tool, null, `${bot.name} <${bot.email}>`, 0.95)],
      };
    }
    case "amp": {
      const trailer = "Co-authored-by: Amp <amp@ampcode.com>";
      return {
        ...base,
        trailers: [trailer, `Amp-Thread-ID: https://ampcode.com/threads/T-${random.uuid()}`],
        branch: `${human.login ?? "dev"}/${slug}`,
        signals: [signal("co-author-trailer", tool, null, trailer, 0.9)],
      };
    }
  }
}

/** Combined confidence of independent signals: 1 − Π(1 − weight), to three decimals. */
export function combinedConfidence(signals: readonly Signal[]): number {
  const miss = signals.reduce((product, s) => product * (1 - s.weight), 1);
  return Math.round((1 - miss) * 1000) / 1000;
}
