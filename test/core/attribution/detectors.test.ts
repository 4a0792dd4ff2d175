import { describe, expect, it } from "vitest";
import { attributeCommit } from "../../../src/core/attribution/engine.ts";
import type { CommitInput, PullRequestContext } from "../../../src/core/attribution/types.ts";
import { commit, expectWellFormed, HUMAN } from "./helpers.ts";

const msg = (...trailers: string[]) =>
  `Fix the order total\n\nRounding was off by one cent.\n\n${trailers.join("\n")}`;

interface Positive {
  name: string;
  input: Partial<CommitInput>;
  detector: string;
  tool: string | null;
  model?: string | null;
  /** Minimum file confidence. */
  min: number;
}

// Real formats from the reference (docs: ../shared/ai-signatures.md), old and new.
const POSITIVES: Positive[] = [
  {
    name: "Claude Code co-author, plain name",
    input: { message: msg("Co-Authored-By: Claude <noreply@anthropic.com>") },
    detector: "co-author-trailer",
    tool: "claude-code",
    model: null,
    min: 0.9,
  },
  {
    name: "Claude Code co-author, Opus 4.6",
    input: { message: msg("Co-Authored-By: Claude Opus 4.6 <noreply@anthropic.com>") },
    detector: "co-author-trailer",
    tool: "claude-code",
    model: "claude-opus-4.6",
    min: 0.9,
  },
  {
    name: "Claude Code co-author, Sonnet 4.5, lower-case key",
    input: { message: msg("co-authored-by: Claude Sonnet 4.5 <noreply@anthropic.com>") },
    detector: "co-author-trailer",
    tool: "claude-code",
    model: "claude-sonnet-4.5",
    min: 0.9,
  },
  {
    name: "Claude Code co-author, 1M context",
    input: { message: msg("Co-Authored-By: Claude Opus 4.7 (1M context) <noreply@anthropic.com>") },
    detector: "co-author-trailer",
    tool: "claude-code",
    model: "claude-opus-4.7",
    min: 0.9,
  },
  {
    name: "Claude Code footer, claude.ai (old)",
    input: { message: msg("🤖 Generated with [Claude Code](https://claude.ai/code)") },
    detector: "tool-footer",
    tool: "claude-code",
    min: 0.9,
  },
  {
    name: "Claude Code footer, claude.com (new)",
    input: { message: msg("🤖 Generated with [Claude Code](https://claude.com/claude-code)") },
    detector: "tool-footer",
    tool: "claude-code",
    min: 0.9,
  },
  {
    name: "Claude-Session trailer",
    input: { message: msg("Claude-Session: https://claude.ai/code/session_01AbCdEfGh") },
    detector: "claude-session",
    tool: "claude-code",
    min: 0.9,
  },
  {
    name: "claude[bot] author",
    input: { author: { name: "claude[bot]", email: "209825114+claude[bot]@users.noreply.github.com" } },
    detector: "bot-author",
    tool: "claude-code",
    min: 0.95,
  },
  {
    name: "claude-code-action[bot] author",
    input: {
      author: {
        name: "claude-code-action[bot]",
        email: "208546643+claude-code-action[bot]@users.noreply.github.com",
      },
    },
    detector: "bot-author",
    tool: "claude-code",
    min: 0.95,
  },
  {
    name: "Copilot coding agent author",
    input: {
      author: { name: "copilot-swe-agent[bot]", email: "198982749+Copilot@users.noreply.github.com" },
      message: "Initial plan",
    },
    detector: "bot-author",
    tool: "copilot-agent",
    min: 0.95,
  },
  {
    name: "Copilot coding agent by login only",
    input: {
      author: { name: "Copilot", email: "unknown@example.invalid" },
      authorLogin: "copilot-swe-agent[bot]",
    },
    detector: "bot-author",
    tool: "copilot-agent",
    min: 0.95,
  },
  {
    name: "Copilot Agent-Logs-Url",
    input: {
      message: msg(
        "Agent-Logs-Url: https://github.com/acme/shop/sessions/4f1c2d3e-aaaa-bbbb-cccc-0123456789ab",
        "Co-authored-by: jane <jane@example.com>",
      ),
    },
    detector: "agent-logs-url",
    tool: "copilot-agent",
    min: 0.9,
  },
  {
    name: "Copilot CLI co-author",
    input: { message: msg("Co-authored-by: Copilot <223556219+Copilot@users.noreply.github.com>") },
    detector: "co-author-trailer",
    tool: "copilot",
    min: 0.9,
  },
  {
    name: "Copilot copilot@github.com",
    input: { message: msg("Co-authored-by: Copilot <copilot@github.com>") },
    detector: "co-author-trailer",
    tool: "copilot",
    min: 0.9,
  },
  {
    name: "Copilot 175728472+copilot",
    input: { message: msg("Co-authored-by: copilot <175728472+copilot@users.noreply.github.com>") },
    detector: "co-author-trailer",
    tool: "copilot",
    min: 0.9,
  },
  {
    name: "Copilot 167198135+copilot[bot]",
    input: { message: msg("Co-authored-by: copilot[bot] <167198135+copilot[bot]@users.noreply.github.com>") },
    detector: "co-author-trailer",
    tool: "copilot",
    min: 0.9,
  },
  {
    name: "Cursor Agent co-author (new)",
    input: { message: msg("Co-authored-by: Cursor Agent <cursoragent@cursor.com>") },
    detector: "co-author-trailer",
    tool: "cursor",
    min: 0.9,
  },
  {
    name: "cursor-ai co-author (old)",
    input: { message: msg("Co-authored-by: cursor-ai <sos@cursor.sh>") },
    detector: "co-author-trailer",
    tool: "cursor",
    min: 0.9,
  },
  {
    name: "Made-with: Cursor",
    input: { message: msg("Made-with: Cursor") },
    detector: "tool-footer",
    tool: "cursor",
    min: 0.8,
  },
  {
    name: "cursor[bot] author",
    input: { author: { name: "cursor[bot]", email: "206951365+cursor[bot]@users.noreply.github.com" } },
    detector: "bot-author",
    tool: "cursor",
    min: 0.95,
  },
  {
    name: "aider name suffix on author",
    input: { author: { name: "Jane Doe (aider)", email: "jane@example.com" } },
    detector: "aider-name",
    tool: "aider",
    min: 0.9,
  },
  {
    name: "aider subject prefix",
    input: { message: "aider: Fix the order total" },
    detector: "aider-prefix",
    tool: "aider",
    min: 0.85,
  },
  {
    name: "aider co-author with model",
    input: { message: msg("Co-authored-by: aider (gpt-4o) <aider@aider.chat>") },
    detector: "co-author-trailer",
    tool: "aider",
    model: "gpt-4o",
    min: 0.9,
  },
  {
    name: "aider co-author noreply",
    input: {
      message: msg("Co-authored-by: aider (anthropic/claude-3-5-sonnet-20241022) <noreply@aider.chat>"),
    },
    detector: "co-author-trailer",
    tool: "aider",
    model: "anthropic/claude-3-5-sonnet-20241022",
    min: 0.9,
  },
  {
    name: "Codex noreply@openai.com",
    input: { message: msg("Co-authored-by: Codex <noreply@openai.com>") },
    detector: "co-author-trailer",
    tool: "codex",
    min: 0.9,
  },
  {
    name: "Codex codex@openai.com, other display name",
    input: { message: msg("Co-authored-by: OpenAI Codex <codex@openai.com>") },
    detector: "co-author-trailer",
    tool: "codex",
    min: 0.9,
  },
  {
    name: "chatgpt-codex-connector[bot]",
    input: {
      author: {
        name: "chatgpt-codex-connector[bot]",
        email: "199175422+chatgpt-codex-connector[bot]@users.noreply.github.com",
      },
    },
    detector: "bot-author",
    tool: "codex",
    min: 0.95,
  },
  {
    name: "openai-codex[bot] committer",
    input: {
      committer: { name: "openai-codex[bot]", email: "215057067+openai-codex[bot]@users.noreply.github.com" },
    },
    detector: "bot-committer",
    tool: "codex",
    min: 0.85,
  },
  {
    name: "Devin bot",
    input: {
      author: {
        name: "devin-ai-integration[bot]",
        email: "158243242+devin-ai-integration[bot]@users.noreply.github.com",
      },
    },
    detector: "bot-author",
    tool: "devin",
    min: 0.95,
  },
  {
    name: "Jules co-author bot",
    input: {
      message: msg(
        "Co-authored-by: google-labs-jules[bot] <161369871+google-labs-jules[bot]@users.noreply.github.com>",
      ),
    },
    detector: "co-author-trailer",
    tool: "jules",
    min: 0.9,
  },
  {
    name: "Amp co-author",
    input: { message: msg("Co-authored-by: Amp <amp@ampcode.com>") },
    detector: "co-author-trailer",
    tool: "amp",
    min: 0.9,
  },
  {
    name: "Amp-Thread-ID",
    input: {
      message: msg("Amp-Thread-ID: https://ampcode.com/threads/T-5b2c6d1e-1234-4abc-9def-0123456789ab"),
    },
    detector: "amp-trailer",
    tool: "amp",
    min: 0.9,
  },
  {
    name: "OpenHands co-author",
    input: { message: msg("Co-authored-by: openhands <openhands@all-hands.dev>") },
    detector: "co-author-trailer",
    tool: "openhands",
    min: 0.9,
  },
  {
    name: "Replit Agent",
    input: { message: msg("Replit-Commit-Author: Agent", "Replit-Commit-Session-Id: 7c1e0a2b-3f4d") },
    detector: "replit-trailer",
    tool: "replit",
    min: 0.9,
  },
  {
    name: "Replit Assistant",
    input: { message: msg("Replit-Commit-Author: Assistant") },
    detector: "replit-trailer",
    tool: "replit",
    min: 0.9,
  },
  {
    name: "amazon-q-developer[bot]",
    input: {
      author: {
        name: "amazon-q-developer[bot]",
        email: "208079219+amazon-q-developer[bot]@users.noreply.github.com",
      },
    },
    detector: "bot-author",
    tool: "amazon-q",
    min: 0.95,
  },
  {
    name: "cline[bot]",
    input: { author: { name: "cline[bot]", email: "205137888+cline[bot]@users.noreply.github.com" } },
    detector: "bot-author",
    tool: "cline",
    min: 0.95,
  },
  {
    name: "continue[bot]",
    input: { author: { name: "continue[bot]", email: "230936708+continue[bot]@users.noreply.github.com" } },
    detector: "bot-author",
    tool: "continue",
    min: 0.95,
  },
  {
    name: "Assisted-by AGENT:MODEL TOOL (kernel)",
    input: { message: msg("Assisted-by: Claude:claude-3-opus coccinelle sparse") },
    detector: "assisted-by",
    tool: "claude-code",
    model: "claude-3-opus",
    min: 0.8,
  },
  {
    name: "Assisted-by with [TOOL] brackets",
    input: { message: msg("Assisted-by: Cursor:gpt-5 [clang-tidy]") },
    detector: "assisted-by",
    tool: "cursor",
    model: "gpt-5",
    min: 0.8,
  },
  {
    name: "Assisted-by free text naming a product",
    input: { message: msg("Assisted-by: GitHub Copilot") },
    detector: "assisted-by",
    tool: "copilot",
    min: 0.8,
  },
  {
    name: "Generated-by (Apache)",
    input: { message: msg("Generated-by: ChatGPT 4o") },
    detector: "generated-by",
    tool: "chatgpt",
    min: 0.9,
  },
  {
    name: "Generated-by AGENT:MODEL",
    input: { message: msg("Generated-by: codex:gpt-5-codex") },
    detector: "generated-by",
    tool: "codex",
    model: "gpt-5-codex",
    min: 0.9,
  },
];

describe("detectors fire on every tool's real formats", () => {
  it.each(POSITIVES)("$name", ({ input, detector, tool, model, min }) => {
    const result = attributeCommit(commit(input), {});
    expectWellFormed(result);
    const f = result.files[0];
    expect(f?.detectionMethod).toBe("heuristic");
    expect(f?.aiConfidence ?? 0).toBeGreaterThanOrEqual(min);
    const fired = result.signals.find((s) => s.detector === detector);
    expect(fired, JSON.stringify(result.signals)).toBeDefined();
    expect(fired?.tool).toBe(tool);
    if (model !== undefined) expect(fired?.model).toBe(model);
    expect(result.tool).toBe(tool);
    // Strong enough evidence counts the added lines as AI-written.
    expect(f?.lines).toEqual({ ai: 10, human: 0, unknown: 0 });
  });
});

// Precision traps: each must produce no signal at all, so the code stays "unknown".
const TRAPS: Array<{ name: string; input: Partial<CommitInput> }> = [
  {
    name: "a human called Claude",
    input: { author: { name: "Claude Martin", email: "claude.martin@example.fr" } },
  },
  {
    name: "a co-author called Claude with a personal address",
    input: { message: msg("Co-authored-by: Claude Dubois <claude@dubois.fr>") },
  },
  {
    name: "the GitHub user `claude` (a person)",
    input: {
      authorLogin: "claude",
      author: { name: "claude", email: "12345+claude@users.noreply.github.com" },
    },
  },
  {
    name: "people called Devin and Jules",
    input: {
      message: msg(
        "Co-authored-by: Devin Smith <devin@example.com>",
        "Co-authored-by: Jules Verne <jules@example.com>",
      ),
    },
  },
  {
    name: "the word cursor in prose",
    input: { message: "Fix cursor position in the editor\n\nThe cursor jumped when made with care." },
  },
  {
    name: "the word continue in prose",
    input: { message: "Continue processing after errors\n\ncontinue; was missing in the loop" },
  },
  {
    name: "the word copilot in prose",
    input: { message: "Mention copilot and codex and amp in docs\n\nWe evaluated GitHub Copilot." },
  },
  {
    name: "a bare users.noreply.github.com address",
    input: {
      message: msg("Co-authored-by: Sam <sam@users.noreply.github.com>"),
      author: { name: "sam", email: "98765+sam@users.noreply.github.com" },
    },
  },
  {
    name: "a noreply address with an unknown id but an AI-looking login",
    input: { message: msg("Co-authored-by: Copilot <1234+Copilot@users.noreply.github.com>") },
  },
  {
    name: "dependabot",
    input: {
      author: { name: "dependabot[bot]", email: "49699333+dependabot[bot]@users.noreply.github.com" },
      authorLogin: "dependabot[bot]",
      message: "Bump lodash from 4.17.20 to 4.17.21\n\nSigned-off-by: dependabot[bot] <support@github.com>",
    },
  },
  {
    name: "renovate",
    input: {
      author: { name: "renovate[bot]", email: "29139614+renovate[bot]@users.noreply.github.com" },
      authorLogin: "renovate[bot]",
      message: "chore(deps): update dependency vitest to v5",
    },
  },
  {
    name: "github-actions",
    input: {
      author: { name: "github-actions[bot]", email: "41898282+github-actions[bot]@users.noreply.github.com" },
      committerLogin: "github-actions[bot]",
    },
  },
  { name: "the web-flow committer", input: { committer: { name: "GitHub", email: "noreply@github.com" } } },
  {
    name: "a co-author trailer not at the line start",
    input: {
      message:
        "Docs: add the line Co-authored-by: Claude <noreply@anthropic.com> to commits\n\n  Co-authored-by: Claude <noreply@anthropic.com>",
    },
  },
  {
    name: "a Claude Code footer quoted inside prose",
    input: {
      message: "Explain\n\nThe footer reads Generated with [Claude Code](https://claude.ai/code) by default.",
    },
  },
  {
    name: "Made-with: Cursor quoted mid-line",
    input: { message: "Docs\n\nUsers add `Made-with: Cursor` by hand." },
  },
  { name: "a human Assisted-by", input: { message: msg("Assisted-by: Jane Roe <jane.roe@example.com>") } },
  { name: "a code generator in Generated-by", input: { message: msg("Generated-by: protoc 25.1") } },
  { name: "Replit trailer naming a person", input: { message: msg("Replit-Commit-Author: jane") } },
  {
    name: "aider in the middle of a name",
    input: { author: { name: "Aider Jones", email: "aider.jones@example.com" } },
  },
  { name: "a subject mentioning aider", input: { message: "Try aider for refactors" } },
];

describe("precision traps do not fire", () => {
  it.each(TRAPS)("$name", ({ input }) => {
    const result = attributeCommit(commit(input), {});
    expectWellFormed(result);
    expect(result.signals).toEqual([]);
    expect(result.aiConfidence).toBeNull();
    expect(result.detectionMethod).toBeNull();
    expect(result.tool).toBeNull();
    // Unknown, never human.
    expect(result.lines).toEqual({ ai: 0, human: 0, unknown: 10 });
  });
});

const pr = (extra: Partial<PullRequestContext>): PullRequestContext => ({
  number: 42,
  title: "Improve totals",
  body: null,
  labels: [],
  headBranch: "feature/totals",
  authorLogin: "jane",
  commits: [],
  ...extra,
});

describe("weak signals: branches, PR labels and bodies", () => {
  it.each([
    ["claude/fix-totals", "claude-code"],
    ["copilot/fix-123", "copilot-agent"],
    ["cursor/refactor-orders", "cursor"],
    ["codex/add-tests", "codex"],
    ["devin/1712345678-fix", "devin"],
  ])("branch %s is weak evidence for %s: confidence below the line threshold", (branch, tool) => {
    const result = attributeCommit(commit({ branch }), {});
    expectWellFormed(result);
    expect(result.signals).toHaveLength(1);
    expect(result.signals[0]?.detector).toBe("branch-prefix");
    expect(result.tool).toBe(tool);
    expect(result.aiConfidence).toBe(0.4);
    expect(result.lines).toEqual({ ai: 0, human: 0, unknown: 10 });
  });

  it.each(["feature/cursor-fix", "fix/claude-typo", "claude", "main"])(
    "branch %s is not an agent branch",
    (branch) => {
      expect(attributeCommit(commit({ branch }), {}).signals).toEqual([]);
    },
  );

  it("an ai-generated label alone is weak", () => {
    const result = attributeCommit(commit(), { pullRequest: pr({ labels: ["bug", "AI-Generated"] }) });
    expect(result.signals.map((s) => s.detector)).toEqual(["pr-label"]);
    expect(result.aiConfidence).toBe(0.5);
  });

  it("label, agent branch and Claude Code body together make a strong verdict", () => {
    const body = "## Summary\n- rounding fix\n\n🤖 Generated with [Claude Code](https://claude.ai/code)";
    const result = attributeCommit(commit(), {
      pullRequest: pr({ labels: ["ai-generated"], headBranch: "claude/totals", body }),
    });
    expectWellFormed(result);
    expect(result.signals.map((s) => s.detector).sort()).toEqual(["branch-prefix", "pr-body", "pr-label"]);
    // 1 − (1 − 0.4)(1 − 0.5)(1 − 0.7) = 0.91
    expect(result.aiConfidence).toBe(0.91);
    expect(result.tool).toBe("claude-code");
    expect(result.lines.ai).toBe(10);
  });

  it("a PR opened by an AI App account is strong", () => {
    const result = attributeCommit(commit(), {
      pullRequest: pr({ authorLogin: "devin-ai-integration[bot]" }),
    });
    expect(result.signals[0]?.detector).toBe("pr-author");
    expect(result.aiConfidence).toBe(0.9);
  });

  it("labels and bodies that merely mention AI do not fire", () => {
    const result = attributeCommit(commit(), {
      pullRequest: pr({
        labels: ["ai", "copilot", "documentation"],
        body: "Generated with care; see the cursor fix.",
      }),
    });
    expect(result.signals).toEqual([]);
  });

  it("the human PR author named claude is not an AI", () => {
    expect(attributeCommit(commit(), { pullRequest: pr({ authorLogin: "claude" }) }).signals).toEqual([]);
  });
});

describe("squash and rebase merges carry the PR's commit trailers over", () => {
  const prCommits: PullRequestContext["commits"] = [
    {
      sha: "1111111111111111111111111111111111111111",
      message: "Add totals\n\nCo-Authored-By: Claude Sonnet 4.5 <noreply@anthropic.com>",
      author: HUMAN,
      committer: HUMAN,
    },
    {
      sha: "2222222222222222222222222222222222222222",
      message: "Fix rounding",
      author: HUMAN,
      committer: HUMAN,
    },
  ];

  it("squash merge: the signal is marked with the PR commit it came from", () => {
    const result = attributeCommit(commit({ message: "Improve totals (#42)" }), {
      pullRequest: pr({ mergeMethod: "squash", commits: prCommits }),
    });
    expectWellFormed(result);
    expect(result.signals).toHaveLength(1);
    expect(result.signals[0]).toMatchObject({
      detector: "co-author-trailer",
      tool: "claude-code",
      model: "claude-sonnet-4.5",
      commitSha: "1111111111111111111111111111111111111111",
    });
    expect(result.lines.ai).toBe(10);
  });

  it("ten PR commits with the same trailer count once", () => {
    const many = Array.from(
      { length: 10 },
      (_, i) => ({ ...prCommits[0], sha: `${i}`.repeat(40) }) as PullRequestContext["commits"][number],
    );
    const result = attributeCommit(commit(), { pullRequest: pr({ mergeMethod: "squash", commits: many }) });
    expect(result.aiConfidence).toBe(0.9);
  });

  it("rebase merge: only the replayed commit with the same subject speaks", () => {
    const fix = attributeCommit(commit({ message: "Fix rounding" }), {
      pullRequest: pr({ mergeMethod: "rebase", commits: prCommits }),
    });
    expect(fix.signals).toEqual([]);
    const add = attributeCommit(commit({ message: "Add totals" }), {
      pullRequest: pr({ mergeMethod: "rebase", commits: prCommits }),
    });
    expect(add.signals[0]?.commitSha).toBe("1111111111111111111111111111111111111111");
  });

  it("merge commits and the PR's own commits do not borrow from siblings", () => {
    const merge = attributeCommit(commit({ parents: ["a", "b"] }), {
      pullRequest: pr({ commits: prCommits }),
    });
    expect(merge.signals).toEqual([]);
    const own = attributeCommit(commit({ sha: "2222222222222222222222222222222222222222" }), {
      pullRequest: pr({ mergeMethod: "squash", commits: prCommits }),
    });
    expect(own.signals).toEqual([]);
  });
});
