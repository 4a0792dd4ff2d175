import { describe, expect, it } from "vitest";
import type { RiskTier } from "../../src/core/enums.ts";
import { type CheckCommit, type CheckFile, evaluateCheck } from "../../src/core/policies/evaluate.ts";
import { code, escapeMarkdown, renderCheckMarkdown } from "../../src/core/policies/markdown.ts";
import {
  MAX_POLICY_BYTES,
  PolicyError,
  type PolicySetInput,
  parsePolicyText,
  policySetSchema,
} from "../../src/core/policies/schema.ts";

// The pure check: policies parsed, evaluated on attributed files, rendered. Numbers asserted exactly.

function file(
  path: string,
  tier: RiskTier,
  ai: number,
  added: number,
  extra: Partial<CheckFile> = {},
): CheckFile {
  const known = extra.aiConfidence !== undefined ? extra.aiConfidence : ai > 0 ? 0.9 : null;
  return {
    path,
    riskTier: tier,
    linesAdded: added,
    aiLines: ai,
    humanLines: 0,
    unknownLines: added - ai,
    aiConfidence: known,
    tool: ai > 0 ? "claude-code" : null,
    model: null,
    evidence:
      ai > 0
        ? [
            {
              detector: "co-author-trailer",
              evidence: "Co-Authored-By: Claude",
              weight: 0.9,
              tool: "claude-code",
              model: null,
            },
          ]
        : [],
    ...extra,
  };
}

const commit = (sha: string, files: CheckFile[]): CheckCommit => ({
  sha: sha.padEnd(40, "0"),
  subject: sha,
  files,
});

const CODEOWNERS = "*.ts @dana\n/src/auth/ @acme/security @erin\n";

const pr = [
  commit("a1", [file("src/auth/token.ts", "T4_novel", 20, 20), file("src/util.ts", "T3_core", 0, 10)]),
  commit("b2", [file("src/auth/token.ts", "T4_novel", 5, 8), file("docs/guide.md", "T1_boilerplate", 4, 4)]),
];

const policies = (input: PolicySetInput) => policySetSchema.parse(input);

describe("policy documents", () => {
  it("applies defaults and accepts short tier names", () => {
    const set = parsePolicyText(
      JSON.stringify({
        policies: [
          { kind: "codeowner-review", tiers: ["T3", "t4"] },
          { kind: "evidence-required", minLines: 5 },
        ],
      }),
    );
    expect(set.sensitivePaths).toEqual([]);
    expect(set.policies[0]).toEqual({
      kind: "codeowner-review",
      tiers: ["T3_core", "T4_novel"],
      conclusion: "failure",
    });
    expect(set.policies[1]).toEqual({ kind: "evidence-required", minLines: 5, conclusion: "notice" });
  });

  it("refuses malformed, unknown, oversized and hostile documents with the place of each problem", () => {
    expect(() => parsePolicyText("{")).toThrow(/not JSON/);
    expect(() => parsePolicyText(JSON.stringify({ policies: [{ kind: "max-ai" }] }))).toThrow(/policies\.0/);
    expect(() => parsePolicyText(JSON.stringify({ rules: [] }))).toThrow(PolicyError);
    expect(() =>
      parsePolicyText(
        JSON.stringify({ policies: [{ kind: "ai-lines-in-paths", paths: ["[z-a]"], maxAiLines: 1 }] }),
      ),
    ).toThrow(/policies\.0\.paths\.0: path pattern "\[z-a\]": character range "z-a" is out of order/);
    expect(() =>
      parsePolicyText(
        JSON.stringify({ policies: [{ kind: "ai-lines-in-paths", paths: ["a"], maxAiLines: -1 }] }),
      ),
    ).toThrow(/maxAiLines/);
    expect(() => parsePolicyText(" ".repeat(MAX_POLICY_BYTES + 1))).toThrow(/larger than 64 KiB/);
    const many = { policies: Array.from({ length: 51 }, () => ({ kind: "evidence-required", minLines: 1 })) };
    expect(() => parsePolicyText(JSON.stringify(many))).toThrow(/policies/);
  });

  it("matches hostile glob patterns in linear time", () => {
    const hostile = `${"**a".repeat(150)}b`;
    const set = policies({
      sensitivePaths: [hostile],
      policies: [{ kind: "ai-lines-in-paths", paths: [hostile], maxAiLines: 0 }],
    });
    const path = `${"a/".repeat(2000)}c.ts`;
    const started = performance.now();
    const result = evaluateCheck({
      commits: [commit("c3", [file(path, "T3_core", 3, 3)])],
      policies: set,
      codeowners: null,
      review: null,
    });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result.policies[0]?.outcome).toBe("pass");
  });
});

describe("evaluateCheck", () => {
  it("with no policies: neutral and informative, with the summary by tool and tier", () => {
    const result = evaluateCheck({ commits: pr, policies: null, codeowners: CODEOWNERS, review: null });
    expect(result.conclusion).toBe("neutral");
    expect(result.title).toBe("AI wrote 29 of 42 added lines (69%) · no policies set");
    expect(result.summary).toMatchObject({
      commits: 2,
      filesChanged: 3,
      linesAdded: 42,
      aiLines: 29,
      unknownLines: 13,
      aiShare: 0.6905,
      coverage: 0.6905,
      byTool: [{ tool: "claude-code", aiLines: 29, share: 1 }],
    });
    expect(result.summary.byTier.find((t) => t.tier === "T4_novel")).toEqual({
      tier: "T4_novel",
      linesAdded: 28,
      aiLines: 25,
      aiShare: 0.8929,
    });
    // AI lines in T4 get an annotation; the T1 doc with AI lines and the human T3 file do not.
    expect(result.annotations.map((a) => [a.path, a.level, a.title])).toEqual([
      ["src/auth/token.ts", "warning", "25 AI-written lines in T4 novel"],
    ]);
    expect(result.annotations[0]?.message).toContain(
      "Evidence (co-author-trailer, a100000): Co-Authored-By: Claude",
    );
  });

  it("annotates AI lines in a declared sensitive path whatever its tier", () => {
    const set = policies({ sensitivePaths: ["docs/"] });
    const result = evaluateCheck({ commits: pr, policies: set, codeowners: null, review: null });
    expect(result.annotations.map((a) => [a.path, a.level])).toEqual([
      ["docs/guide.md", "warning"],
      ["src/auth/token.ts", "warning"],
    ]);
    expect(result.annotations[0]?.title).toBe("4 AI-written lines in T1 boilerplate, sensitive path");
  });

  describe("codeowner-review", () => {
    const set = policies({ policies: [{ kind: "codeowner-review", tiers: ["T4"] }] });

    it("without review data: requires review, and fails the check as set", () => {
      const result = evaluateCheck({ commits: pr, policies: set, codeowners: CODEOWNERS, review: null });
      expect(result.conclusion).toBe("failure");
      expect(result.policies[0]).toMatchObject({
        id: "codeowner-review-1",
        outcome: "requires_review",
        effect: "failure",
        paths: ["src/auth/token.ts"],
      });
      expect(result.annotations[0]?.level).toBe("failure");
    });

    it("fails without a CODEOWNER's approval, passes with a user owner's or an owning team member's", () => {
      const other = evaluateCheck({
        commits: pr,
        policies: set,
        codeowners: CODEOWNERS,
        review: { approvals: [{ login: "dana", teams: ["acme/web"] }] },
      });
      // dana owns *.ts, but the later /src/auth/ entry owns the T4 file.
      expect(other.policies[0]?.outcome).toBe("fail");
      expect(other.conclusion).toBe("failure");
      for (const approval of [
        { login: "Erin", teams: [] },
        { login: "frank", teams: ["ACME/Security"] },
      ]) {
        const ok = evaluateCheck({
          commits: pr,
          policies: set,
          codeowners: CODEOWNERS,
          review: { approvals: [approval] },
        });
        expect(ok.policies[0]?.outcome).toBe("pass");
        expect(ok.conclusion).toBe("success");
      }
    });

    it("a file nobody owns cannot be approved; no AI lines in the tiers: met", () => {
      const unowned = evaluateCheck({
        commits: pr,
        policies: set,
        codeowners: "docs/ @writers\n",
        review: { approvals: [{ login: "erin", teams: [] }] },
      });
      expect(unowned.policies[0]?.outcome).toBe("fail");
      const t3 = evaluateCheck({
        commits: [pr[0] as CheckCommit].map((c) => ({ ...c, files: c.files.slice(1) })),
        policies: set,
        codeowners: CODEOWNERS,
        review: null,
      });
      expect(t3.policies[0]).toMatchObject({ outcome: "pass", message: "no AI-written lines in T4 novel" });
      expect(t3.conclusion).toBe("success");
    });
  });

  it("ai-lines-in-paths: more than N AI lines under the paths → its conclusion", () => {
    const neutral = policies({
      policies: [{ kind: "ai-lines-in-paths", paths: ["src/auth/**"], maxAiLines: 24 }],
    });
    const result = evaluateCheck({ commits: pr, policies: neutral, codeowners: null, review: null });
    expect(result.policies[0]).toMatchObject({
      outcome: "fail",
      effect: "neutral",
      message: "25 AI-written lines in src/auth/**: more than 24",
    });
    expect(result.conclusion).toBe("neutral");
    const atLimit = policies({
      policies: [
        { kind: "ai-lines-in-paths", paths: ["src/auth/**"], maxAiLines: 25, conclusion: "failure" },
      ],
    });
    expect(evaluateCheck({ commits: pr, policies: atLimit, codeowners: null, review: null }).conclusion).toBe(
      "success",
    );
  });

  it("evidence-required: a large change with no evidence at all is a notice, not a failure", () => {
    const unknown = [commit("d4", [file("src/a.ts", "T3_core", 0, 30), file("src/b.ts", "T2_glue", 0, 20)])];
    const set = policies({ policies: [{ kind: "evidence-required", minLines: 40 }] });
    const result = evaluateCheck({ commits: unknown, policies: set, codeowners: null, review: null });
    expect(result.policies[0]).toMatchObject({ outcome: "fail", effect: "notice" });
    expect(result.policies[0]?.message).toMatch(/^no evidence at all on 50 added lines \(more than 40\)/);
    expect(result.conclusion).toBe("success");
    expect(result.title).toBe("AI wrote 0 of 50 added lines (0%) · 1 policy not met");
    const small = policies({ policies: [{ kind: "evidence-required", minLines: 50 }] });
    expect(
      evaluateCheck({ commits: unknown, policies: small, codeowners: null, review: null }).policies[0]
        ?.outcome,
    ).toBe("pass");
    // Human evidence counts as evidence.
    const human = [
      commit("e5", [
        file("src/a.ts", "T3_core", 0, 60, { aiConfidence: 0, humanLines: 60, unknownLines: 0 }),
      ]),
    ];
    expect(
      evaluateCheck({ commits: human, policies: set, codeowners: null, review: null }).policies[0]?.outcome,
    ).toBe("pass");
  });
});

describe("Markdown", () => {
  it("renders the summary, policies and files to review, with commit links", () => {
    const set = policies({
      policies: [
        { id: "t4-review", kind: "codeowner-review" },
        { kind: "ai-lines-in-paths", paths: ["src/**"], maxAiLines: 100 },
      ],
    });
    const result = evaluateCheck({ commits: pr, policies: set, codeowners: CODEOWNERS, review: null });
    const md = renderCheckMarkdown(result, { commitUrl: (sha) => `https://sentinel.test/commits/${sha}` });
    expect(md.split("\n")[0]).toBe("## ❌ Sentinel: AI wrote 29 of 42 added lines (69%) · 1 policy not met");
    expect(md).toContain(
      "**69.1%** of the 42 added lines were written by AI (29 lines) · coverage **69.1%**",
    );
    expect(md).toContain("| `t4-review` | 👀 requires review | failure |");
    expect(md).toContain(
      "| `ai-lines-in-paths-2` | ✅ met | – | 25 AI-written lines in src/\\*\\* (at most 100) |",
    );
    expect(md).toContain("| T4 novel | 28 | 25 | 89.3% |");
    expect(md).toContain(
      `| \`src/auth/token.ts\` | T4 novel | 25 / 28 | \`claude-code\` | \`Co-Authored-By: Claude\` | [a100000](https://sentinel.test/commits/${"a1".padEnd(40, "0")}) [b200000](https://sentinel.test/commits/${"b2".padEnd(40, "0")}) |`,
    );
  });

  it("keeps hostile text from breaking tables or mentioning people", () => {
    expect(code("a|b`c\nd @team")).toBe("`a\\|bʼc d @team`");
    expect(escapeMarkdown("@org/team *x* <b>")).toBe("\\@org/team \\*x\\* \\<b\\>");
    const hostile = [commit("f6", [file("src/|`x`|.ts", "T4_novel", 3, 3)])];
    const md = renderCheckMarkdown(
      evaluateCheck({ commits: hostile, policies: null, codeowners: null, review: null }),
    );
    expect(md).toContain("| `src/\\|ʼxʼ\\|.ts` | T4 novel |");
    expect(
      renderCheckMarkdown(evaluateCheck({ commits: pr, policies: null, codeowners: null, review: null }), {
        maxLength: 300,
      }),
    ).toMatch(/summary truncated\)\n$/);
  });
});
