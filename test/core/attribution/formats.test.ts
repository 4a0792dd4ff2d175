import { describe, expect, it } from "vitest";
import { AI_LINE_THRESHOLD } from "../../../src/core/attribution/combine.ts";
import { attributeCommit } from "../../../src/core/attribution/engine.ts";
import type { CommitInput, PullRequestContext } from "../../../src/core/attribution/types.ts";
import { commit, expectWellFormed, file, HUMAN } from "./helpers.ts";

// Formats from issue #17: aider's two name marks, Entire's trailers, plain-text footers, and the
// Assisted-by spellings people write. Examples follow the tools' own code and documentation
// (aider/repo.py and docs/git.md, entireio/cli trailers and docs/architecture/attribution.md,
// Charm Crush) and commit messages seen in public repositories.

const msg = (...lines: string[]) =>
  `Fix the order total\n\nRounding was off by one cent.\n\n${lines.join("\n")}`;
const run = (input: Partial<CommitInput>, pullRequest?: PullRequestContext) => {
  const result = attributeCommit(commit(input), pullRequest === undefined ? {} : { pullRequest });
  expectWellFormed(result);
  return result;
};
const detectors = (r: ReturnType<typeof run>) => r.signals.map((s) => s.detector);

const DANA = { name: "Dana Lee", email: "dana@example.org" };
const DANA_AIDER = { name: "Dana Lee (aider)", email: "dana@example.org" };

describe("aider: the author mark is strong, a committer-only mark is weak", () => {
  it("author and committer marked (aider wrote the change): AI at 0.9", () => {
    const r = run({ author: DANA_AIDER, committer: DANA_AIDER, message: "refactor: validate totals" });
    expect(r.signals).toEqual([
      expect.objectContaining({ detector: "aider-name", tool: "aider", weight: 0.9 }),
    ]);
    expect(r.lines).toEqual({ ai: 10, human: 0, unknown: 0 });
  });

  it("committer only (aider's commit of the person's own dirty edits): weak, lines stay unknown", () => {
    const r = run({ author: DANA, committer: DANA_AIDER, message: "feat: add rounding helper" });
    expect(r.signals).toHaveLength(1);
    expect(r.signals[0]).toMatchObject({ detector: "aider-committer", tool: "aider", weight: 0.25 });
    expect(r.signals[0]?.evidence).toContain('committer name "Dana Lee (aider)"');
    expect(r.aiConfidence).toBe(0.25);
    expect(r.aiConfidence ?? 0).toBeLessThan(AI_LINE_THRESHOLD);
    // Unknown, not human: aider may also have committed its own uncommitted edits this way.
    expect(r.lines).toEqual({ ai: 0, human: 0, unknown: 10 });
    expect(r.tool).toBe("aider");
  });

  it("committer only with the `aider: ` prefix (--attribute-commit-message-committer) stays below the line threshold", () => {
    const r = run({ author: DANA, committer: DANA_AIDER, message: "aider: feat: add rounding helper" });
    expect(detectors(r).sort()).toEqual(["aider-committer", "aider-prefix"]);
    expect(r.signals.every((s) => s.weight === 0.25)).toBe(true);
    expect(r.aiConfidence ?? 1).toBeLessThan(AI_LINE_THRESHOLD);
    expect(r.lines.ai).toBe(0);
  });

  it("aider's co-author trailer (2025+ default) is strong even beside a committer mark", () => {
    const r = run({
      author: DANA,
      committer: DANA_AIDER,
      message:
        "refactor: validate totals\n\nCo-authored-by: aider (anthropic/claude-sonnet-4-5) <aider@aider.chat>",
    });
    expect(r.aiConfidence ?? 0).toBeGreaterThanOrEqual(0.9);
    expect(r.model).toBe("anthropic/claude-sonnet-4-5");
    expect(r.lines.ai).toBe(10);
  });

  it.each(["aider: add retries to the client", "Aider: add retries to the client", "AIDER: add retries"])(
    "subject prefix %j on a commit with no mark is strong",
    (subject) => {
      const r = run({ message: subject });
      expect(r.signals).toEqual([expect.objectContaining({ detector: "aider-prefix", weight: 0.85 })]);
      expect(r.lines.ai).toBe(10);
    },
  );

  it.each<[string, Partial<CommitInput>]>([
    ["a person called Aider Smith", { author: { name: "Aider Smith", email: "aider@smith.dev" } }],
    [
      "a person whose name is Aider",
      {
        author: { name: "Aider", email: "aider@example.com" },
        committer: { name: "Aider", email: "aider@example.com" },
      },
    ],
    ["a subject starting with the name Aider", { message: "Aider Smith: notes from the review" }],
    ["aider in a subject without the prefix form", { message: "docs: how we use aider: setup and limits" }],
    [
      "a name with (Aider) in another case",
      { author: { name: "Dana Lee (Aider)", email: "dana@example.org" } },
    ],
    ["a prefix without a space", { message: "aider:retry" }],
  ])("trap: %s", (_name, input) => {
    const r = run(input);
    expect(r.signals).toEqual([]);
    expect(r.aiConfidence).toBeNull();
    expect(r.lines).toEqual({ ai: 0, human: 0, unknown: 10 });
  });
});

describe("Entire: a checkpoint links an agent session, the attribution trailer states a share", () => {
  it("Entire-Checkpoint alone (12 hex or ULID): an agent session touched the files", () => {
    for (const id of ["a3b2c4d5e6f7", "01JD5V8Q3RZ7Y2W4X6T9KMNPQS"]) {
      const r = run({ message: msg(`Entire-Checkpoint: ${id}`) });
      expect(r.signals).toEqual([expect.objectContaining({ detector: "entire-checkpoint", weight: 0.8 })]);
      expect(r.lines).toEqual({ ai: 10, human: 0, unknown: 0 });
    }
  });

  it("73% agent (146/200 lines): that share of each file's added lines is AI, the rest human", () => {
    const r = run({
      message: msg("Entire-Checkpoint: a3b2c4d5e6f7", "Entire-Attribution: 73% agent (146/200 lines)"),
      files: [file("src/auth/session.ts", 120), file("src/auth/session.test.ts", 80)],
    });
    expect(r.signals).toEqual([
      expect.objectContaining({
        detector: "entire-attribution",
        weight: 0.73,
        evidence: "Entire-Attribution: 73% agent (146/200 lines)",
      }),
    ]);
    // Each file rounded on its own: 120 × 146/200 = 87.6 → 88; 80 × 0.73 = 58.4 → 58.
    expect(r.files.map((f) => f.lines)).toEqual([
      { ai: 88, human: 32, unknown: 0 },
      { ai: 58, human: 22, unknown: 0 },
    ]);
    expect(r.files.every((f) => f.aiConfidence === 0.73 && f.detectionMethod === "heuristic")).toBe(true);
    expect(r.aiConfidence).toBe(0.73);
  });

  it("a small share is still counted as lines even though its confidence is below 0.5", () => {
    const r = run({
      message: msg("Entire-Attribution: 12% agent (6/50 lines)"),
      files: [file("src/a.ts", 50)],
    });
    expect(r.aiConfidence).toBe(0.12);
    expect(r.lines).toEqual({ ai: 6, human: 44, unknown: 0 });
  });

  it("100% agent: all lines AI, confidence capped at 0.95; Entire-Agent names the tool", () => {
    const r = run({
      message: msg("Entire-Attribution: 100% agent (40/40 lines)", "Entire-Agent: Claude Code"),
    });
    expect(r.aiConfidence).toBe(0.95);
    expect(r.tool).toBe("claude-code");
    expect(r.lines).toEqual({ ai: 10, human: 0, unknown: 0 });
  });

  it("0% agent: the person wrote every line; confidence 0, no tool", () => {
    const r = run({
      message: msg("Entire-Checkpoint: a3b2c4d5e6f7", "Entire-Attribution: 0% agent (0/12 lines)"),
    });
    expect(r.aiConfidence).toBe(0);
    expect(r.tool).toBeNull();
    expect(r.lines).toEqual({ ai: 0, human: 10, unknown: 0 });
  });

  it("a squash merge's message with one trailer per squashed commit pools them", () => {
    const r = run({
      message:
        "Add sessions (#7)\n\n* Add store\n\nEntire-Attribution: 90% agent (90/100 lines)\n\n* Fix expiry\n\nEntire-Attribution: 0% agent (0/100 lines)",
      files: [file("src/a.ts", 10)],
    });
    // (90 + 0) / (100 + 100) = 45%
    expect(r.aiConfidence).toBe(0.45);
    expect(r.lines).toEqual({ ai: 5, human: 5, unknown: 0 });
  });

  it("a squash merge without the trailers pools the PR commits' shares", () => {
    const pr: PullRequestContext = {
      number: 7,
      title: "Add sessions",
      body: null,
      labels: [],
      headBranch: "feature/sessions",
      authorLogin: "dana",
      mergeMethod: "squash",
      commits: [
        {
          sha: "1".repeat(40),
          message: "Add store\n\nEntire-Attribution: 75% agent (30/40 lines)",
          author: HUMAN,
          committer: HUMAN,
        },
        {
          sha: "2".repeat(40),
          message: "Fix expiry\n\nEntire-Attribution: 25% agent (10/40 lines)",
          author: HUMAN,
          committer: HUMAN,
        },
      ],
    };
    const r = run({ message: "Add sessions (#7)", files: [file("src/a.ts", 20)] }, pr);
    expect(r.signals.filter((s) => s.detector === "entire-attribution")).toHaveLength(1);
    expect(r.aiConfidence).toBe(0.5);
    expect(r.lines).toEqual({ ai: 10, human: 10, unknown: 0 });
  });

  it("a manual override still wins over the share", () => {
    const result = attributeCommit(
      commit({ message: msg("Entire-Attribution: 73% agent (146/200 lines)") }),
      {
        overrides: [
          {
            filePath: null,
            verdict: "human",
            riskTier: null,
            actor: "dana",
            reason: "wrote it",
            at: "2026-03-02T00:00:00Z",
          },
        ],
      },
    );
    expect(result.lines).toEqual({ ai: 0, human: 10, unknown: 0 });
  });

  it.each([
    ["a placeholder checkpoint from a template", "Entire-Checkpoint: [auto-generated]"],
    ["a checkpoint id of the wrong length", "Entire-Checkpoint: a3b2c4"],
    ["a percentage that contradicts the counts", "Entire-Attribution: 10% agent (146/200 lines)"],
    ["more agent lines than lines", "Entire-Attribution: 100% agent (12/10 lines)"],
    ["no lines at all", "Entire-Attribution: 0% agent (0/0 lines)"],
    ["another wording", "Entire-Attribution: mostly agent"],
    ["a trailer quoted mid-line", "We add Entire-Attribution: 73% agent (146/200 lines) to commits"],
  ])("trap: %s", (_name, line) => {
    const r = run({ message: msg(line) });
    expect(r.signals).toEqual([]);
    expect(r.lines).toEqual({ ai: 0, human: 0, unknown: 10 });
  });
});

describe("plain-text footers and disclosure lines", () => {
  it.each<[string, string, string, string | null]>([
    ["plain Claude Code footer", "Generated with Claude Code", "claude-code", null],
    ["with the robot", "🤖 Generated with Claude Code", "claude-code", null],
    [
      "URL on the next line",
      "🤖 Generated with Claude Code\nhttps://claude.com/claude-code",
      "claude-code",
      null,
    ],
    ["URL on the same line", "Generated with Claude Code (https://claude.ai/code)", "claude-code", null],
    [
      "URL after a dash",
      "🤖 Generated with Claude Code - https://claude.com/claude-code",
      "claude-code",
      null,
    ],
    [
      "the robot left as an escape by a script",
      "\\U0001F916 Generated with [Claude Code](https://claude.com/claude-code)",
      "claude-code",
      null,
    ],
    ["Crush", "💘 Generated with Crush", "crush", null],
    ["Crush naming its model", "💘 Generated with Crush (GLM-5.3-flash)", "crush", "glm-5.3-flash"],
    ["Codebuff", "🤖 Generated with Codebuff", "codebuff", null],
  ])("%s", (_name, footer, tool, model) => {
    const r = run({ message: msg(footer) });
    expect(r.signals).toEqual([
      expect.objectContaining({ detector: "tool-footer", tool, model, weight: 0.9 }),
    ]);
    expect(r.lines.ai).toBe(10);
  });

  it("Crush's co-author address", () => {
    const r = run({
      message: msg("💘 Generated with Crush", "", "Co-Authored-By: Crush <crush@charm.land>"),
    });
    expect(detectors(r).sort()).toEqual(["co-author-trailer", "tool-footer"]);
    expect(r.tool).toBe("crush");
  });

  it.each<[string, string | null]>([
    ["*This PR was generated by Codex.*", "codex"],
    ["_This PR was generated by Claude Code._", "claude-code"],
    ["This commit was written by GitHub Copilot.", "copilot"],
    ["Written with the help of Cursor", "cursor"],
    ["*This PR was generated by an AI coding assistant.*", null],
  ])("disclosure line %j", (line, tool) => {
    const r = run({ message: msg("## Validation", "- `git diff --check`", "", line) });
    expect(r.signals).toEqual([expect.objectContaining({ detector: "disclosure-line", tool, weight: 0.8 })]);
    expect(r.lines.ai).toBe(10);
  });

  it("a plain footer in a PR description is the weak pr-body signal", () => {
    const r = run(
      {},
      {
        number: 9,
        title: "Totals",
        body: "## Summary\n- rounding\n\n🤖 Generated with Claude Code",
        labels: [],
        headBranch: "fix/totals",
        authorLogin: "dana",
        commits: [],
      },
    );
    expect(r.signals).toEqual([expect.objectContaining({ detector: "pr-body", weight: 0.7 })]);
  });

  it.each([
    ["prose about the integration", "fix the Claude Code integration"],
    ["the footer followed by prose", "Generated with Claude Code is not allowed here"],
    ["the footer quoted mid-line", "Our policy forbids the line 'Generated with Claude Code' in commits."],
    ["a list item naming the tool", "More upgrade tips, written by Claude Code"],
    [
      "a review bot's summary",
      "> <sup>Written by [Cursor Bugbot](https://cursor.com/bugbot) for commit 1a2b3c4</sup>",
    ],
    ["a dependency bot", "This PR was generated by [Mend Renovate](https://mend.io/renovate/)."],
    ["a code generator", "Generated by protoc 25.1"],
    ["a person", "Written by Jane Roe"],
    ["Crush in prose", "Generated with Crush is what the template says"],
  ])("trap: %s", (_name, line) => {
    const r = run({ message: msg(line) });
    expect(r.signals).toEqual([]);
    expect(r.aiConfidence).toBeNull();
  });
});

describe("Assisted-by in the spellings people use", () => {
  it.each<[string, string | null, string | null]>([
    ["Assisted-by: [Claude Code]", "claude-code", null],
    ["Assisted-By: [Claude   Code].", "claude-code", null],
    ["Assisted-by: GitHub-Copilot", "copilot", null],
    ["ASSISTED-BY: Claude:claude-opus-4", "claude-code", "claude-opus-4"],
    ["Assisted-by: Claude: claude-opus-4", "claude-code", "claude-opus-4"],
    ["Assisted-by: Claude Code (Opus 4.6)", "claude-code", "claude-opus-4.6"],
    ["Assisted-by: Claude Sonnet 4 <noreply@anthropic.com>", "claude-code", null],
    ["Assisted-by: Claude Opus 4.5", "claude-code", "claude-opus-4.5"],
    ["Assisted-by: ChatGPT (documentation review)", "chatgpt", null],
    ["Assisted-by: Kimi K2.6 (unit tests, integration tests)", null, null],
    ["Assisted-by: Crush:glm-5.2", "crush", "glm-5.2"],
    ["AI-Tool: Claude Code", "claude-code", null],
    ["AI-Assisted: true", null, null],
    ["AI-Generated-By: Claude (Anthropic AI Assistant)", "claude-code", null],
  ])("%s", (line, tool, model) => {
    const r = run({ message: msg(line) });
    expect(r.signals).toHaveLength(1);
    expect(r.signals[0]).toMatchObject({ tool, model });
    expect(r.lines.ai).toBe(10);
  });

  it("several tools in one trailer: each is recorded, the trailer counts once", () => {
    for (const value of ["Copilot, Claude", "Copilot and Claude", "Copilot & Claude", "Copilot; Claude"]) {
      const r = run({ message: msg(`Assisted-by: ${value}`) });
      expect(r.signals.map((s) => [s.tool, s.weight])).toEqual([
        ["copilot", 0.8],
        ["claude-code", 0],
      ]);
      expect(r.aiConfidence).toBe(0.8);
      expect(r.tool).toBe("copilot");
    }
  });

  it("AI-Assisted: true beside a trailer that names the tool adds nothing", () => {
    const r = run({
      message: msg("AI-Assisted: true", "AI-Tool: Claude Code", "AI-Model: claude-3-5-sonnet-20241022"),
    });
    expect(r.signals).toHaveLength(1);
    expect(r.aiConfidence).toBe(0.8);
  });

  it.each([
    "Assisted-by: John Smith",
    "Assisted-by: John Smith <john@smith.example>",
    "Assisted-by: John Smith, Jane Doe",
    "Assisted-by: Jane Roe <jane@example.com>, Bob",
    "AI-Assisted: false",
    "AI-Assisted: no",
    "Generated-by: protoc 25.1, buf 1.28",
  ])("trap: %s", (line) => {
    const r = run({ message: msg(line) });
    expect(r.signals).toEqual([]);
    expect(r.lines).toEqual({ ai: 0, human: 0, unknown: 10 });
  });
});

describe("reverts quote the reverted message: it is not evidence about the restored lines", () => {
  it.each([
    [
      "git revert of a Claude Code commit, message quoted",
      'Revert "Add totals"\n\nThis reverts commit 1a2b3c4d5e6f.\n\nAdd totals\n\n🤖 Generated with [Claude Code](https://claude.ai/code)\n\nCo-Authored-By: Claude <noreply@anthropic.com>',
    ],
    [
      "GitHub's revert of an aider PR",
      'Revert "aider: add retries (#12)" (#13)\n\nReverts acme/shop#12\n\nCo-authored-by: aider (gpt-4o) <aider@aider.chat>',
    ],
    [
      "revert of an Entire-attributed commit",
      'Revert "Add sessions"\n\nThis reverts commit 0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6.\n\nEntire-Attribution: 73% agent (146/200 lines)',
    ],
  ])("%s stays unknown", (_name, message) => {
    const r = run({ message });
    expect(r.signals).toEqual([]);
    expect(r.lines).toEqual({ ai: 0, human: 0, unknown: 10 });
  });

  it("a subject that only starts with Revert is not a revert", () => {
    const r = run({
      message:
        'Revert "strict mode" setting to its default\n\nCo-Authored-By: Claude <noreply@anthropic.com>',
    });
    expect(detectors(r)).toEqual(["co-author-trailer"]);
  });

  it("the AI's own account making a revert is still recorded (identity, not message)", () => {
    const r = run({
      author: { name: "claude[bot]", email: "209825114+claude[bot]@users.noreply.github.com" },
      message: 'Revert "Add totals"\n\nThis reverts commit 1a2b3c4d5e6f.',
    });
    expect(detectors(r)).toEqual(["bot-author"]);
  });
});
