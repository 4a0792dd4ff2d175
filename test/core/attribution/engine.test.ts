import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { combineSignals } from "../../../src/core/attribution/combine.ts";
import { attributeCommit, ENGINE_VERSION } from "../../../src/core/attribution/engine.ts";
import { makeSignal } from "../../../src/core/attribution/make-signal.ts";
import { MAX_MODEL_CONFIDENCE } from "../../../src/core/attribution/model/constants.ts";
import type { FileScorer } from "../../../src/core/attribution/scorer.ts";
import type { ManualOverride } from "../../../src/core/attribution/types.ts";
import { commit, expectWellFormed, file } from "./helpers.ts";

const CLAUDE = "Add orders\n\nCo-Authored-By: Claude Opus 4.6 <noreply@anthropic.com>";

describe("combining signals", () => {
  it.each([
    [[0.9], 0.9],
    [[0.4, 0.5], 0.7],
    [[0.4, 0.5, 0.7], 0.91],
    [[0.9, 0.9], 0.99],
    [[], null],
  ])("noisy-OR of %j = %s", (weights, expected) => {
    const signals = weights.map((w, i) => makeSignal(`d${i}`, null, null, "e", w));
    expect(combineSignals(signals)).toBe(expected);
  });

  it("repeats of one detector naming one tool count once", () => {
    const s = makeSignal("co-author-trailer", "claude-code", null, "x", 0.9);
    expect(combineSignals([s, s, { ...s, evidence: "y" }])).toBe(0.9);
  });

  it("evidence longer than the schema allows is trimmed", () => {
    expect(makeSignal("d", null, null, "x".repeat(5000), 1).evidence).toHaveLength(2000);
  });
});

describe("no evidence means unknown, never human", () => {
  it("a plain human-looking commit has null confidence, null method and unknown lines", () => {
    const result = attributeCommit(
      commit({ files: [file("src/a.ts", 7), file("package-lock.json", 300)] }),
      {},
    );
    expectWellFormed(result);
    expect(result).toMatchObject({
      aiConfidence: null,
      detectionMethod: null,
      tool: null,
      model: null,
      signals: [],
    });
    expect(result.lines).toEqual({ ai: 0, human: 0, unknown: 307 });
    for (const f of result.files) {
      expect(f.aiConfidence).toBeNull();
      expect(f.detectionMethod).toBeNull();
      expect(f.detectionSignals.engineVersion).toBe(ENGINE_VERSION);
    }
  });

  it("removed and binary files keep zero or unparsed lines without failing", () => {
    const result = attributeCommit(
      commit({
        message: CLAUDE,
        files: [
          { path: "src/old.ts", status: "removed", additions: 0, deletions: 40 },
          { path: "assets/logo.png", status: "added", additions: 0, deletions: 0, binary: true },
          { path: "src/huge.json", status: "modified", additions: 90_000, deletions: 12 },
        ],
      }),
      {},
    );
    expectWellFormed(result);
    expect(result.files.map((f) => f.lines.ai)).toEqual([0, 0, 90_000]);
    expect(result.files[1]?.riskTier).toBe("T1_boilerplate");
  });
});

describe("commit-level evidence reaches every file", () => {
  it("per-file output and the commit summary name the tool, model and AI lines", () => {
    const result = attributeCommit(
      commit({ message: CLAUDE, files: [file("src/a.ts", 5), file("docs/a.md", 3)] }),
      {},
    );
    expectWellFormed(result);
    expect(result).toMatchObject({
      tool: "claude-code",
      model: "claude-opus-4.6",
      aiConfidence: 0.9,
      detectionMethod: "heuristic",
    });
    expect(result.lines).toEqual({ ai: 8, human: 0, unknown: 0 });
    for (const f of result.files) {
      expect(f.detectionSignals.signals).toEqual(result.signals);
      expect(f.tool).toBe("claude-code");
    }
  });
});

const at = (day: number) => `2026-03-0${day}T10:00:00Z`;
const override = (o: Partial<ManualOverride>): ManualOverride => ({
  filePath: null,
  verdict: "human",
  riskTier: null,
  actor: "alice@example.com",
  reason: "pair-programmed by hand",
  at: at(2),
  ...o,
});

describe("manual overrides win", () => {
  it("a whole-commit human override beats a strong trailer", () => {
    const result = attributeCommit(
      commit({ message: CLAUDE, files: [file("src/a.ts", 5), file("src/b.ts", 2)] }),
      {
        overrides: [override({})],
      },
    );
    expectWellFormed(result);
    expect(result).toMatchObject({
      aiConfidence: 0,
      detectionMethod: "manual_override",
      tool: null,
      model: null,
    });
    expect(result.lines).toEqual({ ai: 0, human: 7, unknown: 0 });
    expect(result.files[0]?.detectionSignals.override).toEqual({
      actor: "alice@example.com",
      reason: "pair-programmed by hand",
      at: "2026-03-02T10:00:00.000Z",
    });
    // The trailer stays visible beside the override, so a reviewer sees what was overruled.
    expect(result.files[0]?.detectionSignals.signals[0]?.detector).toBe("co-author-trailer");
  });

  it("a file override beats the commit override; the latest override for a target wins", () => {
    const result = attributeCommit(commit({ files: [file("src/a.ts", 5), file("src/b.ts", 2)] }), {
      overrides: [
        override({ verdict: "human" }),
        override({ filePath: "src/b.ts", verdict: "human", at: at(1) }),
        override({
          filePath: "src/b.ts",
          verdict: "ai",
          riskTier: "T4_novel",
          at: at(3),
          reason: "written by ChatGPT, pasted",
        }),
      ],
    });
    expectWellFormed(result);
    const [a, b] = result.files;
    expect(a).toMatchObject({
      aiConfidence: 0,
      detectionMethod: "manual_override",
      lines: { ai: 0, human: 5, unknown: 0 },
    });
    expect(b).toMatchObject({
      aiConfidence: 1,
      detectionMethod: "manual_override",
      riskTier: "T4_novel",
      lines: { ai: 2, human: 0, unknown: 0 },
    });
    expect(b?.detectionSignals.tierReason).toBe("manual override by alice@example.com");
    expect(result.aiConfidence).toBe(1);
    expect(result.detectionMethod).toBe("manual_override");
  });

  it("a commit without files still reports its own evidence and overrides", () => {
    expect(attributeCommit(commit({ message: CLAUDE, files: [] }), {})).toMatchObject({
      aiConfidence: 0.9,
      detectionMethod: "heuristic",
      tool: "claude-code",
      lines: { ai: 0, human: 0, unknown: 0 },
    });
    const overridden = attributeCommit(commit({ message: CLAUDE, files: [] }), { overrides: [override({})] });
    expect(overridden).toMatchObject({ aiConfidence: 0, detectionMethod: "manual_override", tool: null });
    expect(attributeCommit(commit({ files: [] }), {})).toMatchObject({
      aiConfidence: null,
      detectionMethod: null,
    });
  });

  it("an override of a renamed file's old path still applies", () => {
    const renamed = file("src/new.ts", 3, { status: "renamed", previousPath: "src/old.ts" });
    const result = attributeCommit(commit({ files: [renamed] }), {
      overrides: [override({ filePath: "src/old.ts", verdict: "ai" })],
    });
    expect(result.files[0]?.lines.ai).toBe(3);
  });

  it("an override beats line-level records too", () => {
    const patch = "@@ -0,0 +1,3 @@\n+a\n+b\n+c";
    const f = { path: "src/a.ts", status: "added" as const, additions: 3, deletions: 0, patch };
    const result = attributeCommit(commit({ files: [f] }), {
      agentTraces: [
        {
          id: "t",
          tool: "cursor",
          files: [
            {
              path: "src/a.ts",
              conversations: [
                { contributor: { type: "ai", modelId: null }, ranges: [{ startLine: 1, endLine: 3 }] },
              ],
            },
          ],
        },
      ],
      overrides: [override({ filePath: "src/a.ts" })],
    });
    expect(result.files[0]?.lines).toEqual({ ai: 0, human: 3, unknown: 0 });
  });
});

describe("the ML model", () => {
  const scorer = (score: number): FileScorer & { calls: string[] } => {
    const calls: string[] = [];
    return {
      version: "m-2026-11-20.3",
      calls,
      score(lines, path) {
        calls.push(`${path}:${lines.length}`);
        return score;
      },
    };
  };

  it("scores only files with no other evidence, capped, and says which model", () => {
    const model = scorer(0.97);
    const result = attributeCommit(commit({ files: [file("src/a.ts", 4)] }), { model });
    expectWellFormed(result);
    const f = result.files[0];
    expect(model.calls).toEqual(["src/a.ts:4"]);
    expect(f).toMatchObject({
      aiConfidence: MAX_MODEL_CONFIDENCE,
      detectionMethod: "ml_model",
      tool: null,
      lines: { ai: 4, human: 0, unknown: 0 },
    });
    expect(f?.detectionSignals.model).toEqual({ version: "m-2026-11-20.3", score: 0.97 });
    expect(f?.detectionSignals.signals[0]).toMatchObject({
      detector: "ml-model",
      weight: MAX_MODEL_CONFIDENCE,
    });
    expect(f?.detectionSignals.signals[0]?.evidence).toContain("m-2026-11-20.3");
    expect(result.detectionMethod).toBe("ml_model");
  });

  it("a low score is a number from the model, and leaves the lines unknown (never human)", () => {
    const result = attributeCommit(commit({ files: [file("src/a.ts", 4)] }), { model: scorer(0.12) });
    expect(result.files[0]).toMatchObject({
      aiConfidence: 0.12,
      detectionMethod: "ml_model",
      lines: { ai: 0, human: 0, unknown: 4 },
    });
  });

  it("counts lines as AI only at or above the model's own operating threshold", () => {
    const strict = (score: number) => ({ ...scorer(score), threshold: 0.73 });
    const below = attributeCommit(commit({ files: [file("src/a.ts", 4)] }), { model: strict(0.7) });
    expect(below.files[0]).toMatchObject({
      aiConfidence: MAX_MODEL_CONFIDENCE,
      lines: { ai: 0, human: 0, unknown: 4 },
    });
    const above = attributeCommit(commit({ files: [file("src/a.ts", 4)] }), { model: strict(0.8) });
    expect(above.files[0]).toMatchObject({
      aiConfidence: MAX_MODEL_CONFIDENCE,
      lines: { ai: 4, human: 0, unknown: 0 },
    });
  });

  it("is not consulted when any heuristic fires, even a weak one, nor for binaries", () => {
    const model = scorer(0.99);
    const weak = attributeCommit(commit({ branch: "claude/x" }), { model });
    expect(weak.files[0]?.detectionMethod).toBe("heuristic");
    attributeCommit(
      commit({ files: [{ path: "a.png", status: "added", additions: 0, deletions: 0, binary: true }] }),
      { model },
    );
    expect(model.calls).toEqual([]);
  });
});

describe("speed-relevant purity", () => {
  it("gives the same answer twice for the same input (no clock, no hidden state)", () => {
    const input = commit({ message: CLAUDE, files: [file("src/a.ts", 20), file("src/auth/x.ts", 3)] });
    const context = {
      codeowners: "* @acme/security",
      tierRules: [{ pattern: "src/a.ts", tier: "T2_glue" as const }],
    };
    expect(attributeCommit(input, context)).toEqual(attributeCommit(input, context));
  });
});

describe("invariants on arbitrary input", () => {
  it("lines always sum to additions and detection_signals always validate", () => {
    const line = fc.constantFrom("const a = 1;", "exec(cmd);", "", "  if (x) {", "export * from './a.ts';");
    const fileArb = fc.record({
      path: fc.constantFrom("src/a.ts", "src/index.ts", "package-lock.json", "src/auth/x.ts", "docs/a.md"),
      lines: fc.array(line, { maxLength: 30 }),
      start: fc.integer({ min: 1, max: 50 }),
      claimedExtra: fc.integer({ min: -5, max: 5 }),
      withPatch: fc.boolean(),
    });
    const message = fc.constantFrom("x", CLAUDE, "y\n\nAssisted-by: Claude:claude-opus-4-6", "aider: z");
    const ranges = fc.array(
      fc.record({ start: fc.integer({ min: 1, max: 60 }), len: fc.integer({ min: 0, max: 20 }) }),
      { maxLength: 4 },
    );
    fc.assert(
      fc.property(
        fc.array(fileArb, { maxLength: 5 }),
        message,
        ranges,
        fc.boolean(),
        (files, msg, rs, withModel) => {
          const input = commit({
            message: msg,
            files: files.map((f, i) => {
              const patch = `@@ -${f.start},0 +${f.start},${f.lines.length} @@\n${f.lines.map((l) => `+${l}`).join("\n")}`;
              const additions = Math.max(0, f.lines.length + f.claimedExtra);
              return {
                path: `${i}/${f.path}`,
                status: "modified" as const,
                additions,
                deletions: 0,
                ...(f.withPatch ? { patch } : {}),
              };
            }),
          });
          const result = attributeCommit(input, {
            gitAiNote: {
              files: input.files.map((f) => ({
                path: f.path,
                ranges: rs.map((r) => ({ promptId: "p", start: r.start, end: r.start + r.len })),
              })),
              prompts: {},
            },
            model: withModel ? { version: "v", score: () => 0.8 } : null,
          });
          expectWellFormed(result);
          for (const f of result.files) {
            if (f.aiConfidence !== null) expect(f.aiConfidence).toBeGreaterThanOrEqual(0);
            if (f.detectionMethod === "ml_model")
              expect(f.aiConfidence).toBeLessThanOrEqual(MAX_MODEL_CONFIDENCE);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
