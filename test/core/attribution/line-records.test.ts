import { describe, expect, it } from "vitest";
import {
  parseAgentTraceJsonl,
  parseAgentTraceJsonlWithReport,
} from "../../../src/core/attribution/agent-trace.ts";
import { attributeCommit } from "../../../src/core/attribution/engine.ts";
import { parseGitAiNote } from "../../../src/core/attribution/git-ai.ts";
import { AppError } from "../../../src/core/errors.ts";
import { commit, expectWellFormed, patchAdding } from "./helpers.ts";

const SHA = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";

const NOTE = `src/orders.ts
  1a2b3c4d5e6f7a8b 1-4,9-10
  ffff000011112222 12
"src/with space.ts"
  1a2b3c4d5e6f7a8b 3-5
---
{
  "schema_version": "authorship/3.0.0",
  "base_commit_sha": "${SHA}",
  "prompts": {
    "1a2b3c4d5e6f7a8b": {
      "agent_id": { "tool": "claude", "id": "sess-1", "model": "claude-opus-4-6" },
      "human_author": "Jane Doe <jane@example.com>",
      "total_additions": 9, "total_deletions": 0, "accepted_lines": 9, "overriden_lines": 0
    },
    "ffff000011112222": {
      "agent_id": { "tool": "cursor", "id": "c-9", "model": "gpt-5" },
      "human_author": "Jane Doe <jane@example.com>"
    }
  }
}`;

describe("parseGitAiNote", () => {
  it("reads per-file ranges and the prompts' agents", () => {
    const note = parseGitAiNote(NOTE);
    expect(note.files).toEqual([
      {
        path: "src/orders.ts",
        ranges: [
          { promptId: "1a2b3c4d5e6f7a8b", start: 1, end: 4 },
          { promptId: "1a2b3c4d5e6f7a8b", start: 9, end: 10 },
          { promptId: "ffff000011112222", start: 12, end: 12 },
        ],
      },
      { path: "src/with space.ts", ranges: [{ promptId: "1a2b3c4d5e6f7a8b", start: 3, end: 5 }] },
    ]);
    expect(note.prompts["1a2b3c4d5e6f7a8b"]).toEqual({
      tool: "claude",
      model: "claude-opus-4-6",
      human: "Jane Doe <jane@example.com>",
    });
  });

  it.each([
    ["ranges before any path", "  1a2b3c4d5e6f7a8b 1-4\n---\n{}"],
    ["a backwards range", "src/a.ts\n  1a2b3c4d5e6f7a8b 9-4\n---\n{}"],
    ["a malformed range line", "src/a.ts\n  not-an-id 1-4\n---\n{}"],
    ["metadata that is not JSON", "src/a.ts\n  1a2b3c4d5e6f7a8b 1-4\n---\n{oops"],
  ])("rejects %s with a bad_request", (_name, text) => {
    expect(() => parseGitAiNote(text)).toThrow(AppError);
  });
});

describe("partial-file attribution from a git-ai note", () => {
  // 12 lines added at new lines 1..12 of a new file; the note claims 1-4, 9-10 (Claude) and 12 (Cursor).
  const added = {
    path: "src/orders.ts",
    status: "added" as const,
    additions: 12,
    deletions: 0,
    patch: `@@ -0,0 +1,12 @@\n${Array.from({ length: 12 }, (_, i) => `+line ${i + 1}`).join("\n")}`,
  };

  it("counts exactly the added lines inside the note's ranges as AI, the rest unknown", () => {
    const result = attributeCommit(commit({ files: [added] }), { gitAiNote: parseGitAiNote(NOTE) });
    expectWellFormed(result);
    const f = result.files[0];
    expect(f?.lines).toEqual({ ai: 7, human: 0, unknown: 5 });
    expect(f?.detectionMethod).toBe("heuristic");
    expect(f?.aiConfidence).toBeCloseTo(1 - 0.05 * 0.05, 4);
    expect(f?.tool).toBe("claude-code");
    expect(f?.model).toBe("claude-opus-4-6");
    const evidence = f?.detectionSignals.signals.map((s) => s.evidence) ?? [];
    expect(evidence).toContain(
      "refs/notes/ai prompt 1a2b3c4d5e6f7a8b: src/orders.ts lines 1-4,9-10 (ai) cover 6 added lines",
    );
    expect(evidence).toContain(
      "refs/notes/ai prompt ffff000011112222: src/orders.ts lines 12 (ai) cover 1 added line",
    );
  });

  it("maps ranges through hunks: only lines added by this commit count", () => {
    // Two hunks: lines 3-4 added after context 1-2; then lines 10-12 added after context 9.
    const patch =
      "@@ -1,2 +1,4 @@\n one\n two\n+three\n+four\n@@ -7,1 +9,4 @@\n nine\n+ten\n+eleven\n-old\n+twelve\n";
    const f = { path: "src/orders.ts", status: "modified" as const, additions: 5, deletions: 1, patch };
    const result = attributeCommit(commit({ files: [f] }), { gitAiNote: parseGitAiNote(NOTE) });
    expectWellFormed(result);
    // AI ranges 1-4, 9-10, 12 ∩ added {3,4,10,11,12} = {3,4,10,12}.
    expect(result.files[0]?.lines).toEqual({ ai: 4, human: 0, unknown: 1 });
  });

  it("lines the note does not cover follow a strong commit-level signal", () => {
    const result = attributeCommit(
      commit({ files: [added], message: "Add orders\n\nCo-Authored-By: Claude <noreply@anthropic.com>" }),
      { gitAiNote: parseGitAiNote(NOTE) },
    );
    expect(result.files[0]?.lines).toEqual({ ai: 12, human: 0, unknown: 0 });
  });

  it("a file the note names but whose patch is unavailable gets no line counts from it", () => {
    const f = { path: "src/orders.ts", status: "modified" as const, additions: 12, deletions: 0 };
    const result = attributeCommit(commit({ files: [f] }), { gitAiNote: parseGitAiNote(NOTE) });
    expectWellFormed(result);
    expect(result.files[0]?.lines).toEqual({ ai: 0, human: 0, unknown: 12 });
    expect(result.files[0]?.aiConfidence).toBeNull();
    expect(result.files[0]?.detectionSignals.signals[0]?.evidence).toMatch(/patch is unavailable/);
  });
});

const trace = (revision: string, conversations: unknown[], path = "src/orders.ts") =>
  JSON.stringify({
    version: "0.1.0",
    id: "6f1c9a3e-0000-4000-8000-000000000001",
    timestamp: "2026-03-01T11:59:00Z",
    vcs: { type: "git", revision },
    tool: { name: "cursor", version: "2.1.0" },
    files: [{ path, conversations }],
  });

describe("parseAgentTraceJsonl", () => {
  it("keeps valid records and counts the lines it skipped", () => {
    const text = [
      trace(SHA, [
        {
          url: "https://cursor.com/c/1",
          contributor: { type: "ai", model_id: "anthropic/claude-opus-4-6" },
          ranges: [{ start_line: 1, end_line: 3, content_hash: "murmur3:9f2e" }],
        },
      ]),
      "not json at all",
      JSON.stringify({
        id: "x",
        files: [{ path: "a.ts", conversations: [{ contributor: { type: "robot" }, ranges: [] }] }],
      }),
      "",
      JSON.stringify({
        id: "y",
        files: [{ path: "a.ts", conversations: [{ ranges: [{ start_line: 5, end_line: 2 }] }] }],
      }),
    ].join("\n");
    const { records, skipped } = parseAgentTraceJsonlWithReport(text);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ tool: "cursor", revision: SHA });
    expect(skipped.map((s) => s.line)).toEqual([2, 3, 5]);
    expect(parseAgentTraceJsonl(text)).toEqual(records);
  });

  it("splits ranges that carry their own contributor", () => {
    const [record] = parseAgentTraceJsonl(
      trace(SHA, [
        {
          contributor: { type: "ai" },
          ranges: [
            { start_line: 1, end_line: 2 },
            { start_line: 3, end_line: 4, contributor: { type: "human" } },
          ],
        },
      ]),
    );
    expect(record?.files[0]?.conversations).toEqual([
      { contributor: { type: "ai", modelId: null }, ranges: [{ startLine: 1, endLine: 2 }] },
      { contributor: { type: "human", modelId: null }, ranges: [{ startLine: 3, endLine: 4 }] },
    ]);
  });
});

describe("partial-file attribution from Agent Trace ranges", () => {
  const tenNew = {
    path: "src/orders.ts",
    status: "added" as const,
    additions: 10,
    deletions: 0,
    patch: `@@ -0,0 +1,10 @@\n${Array.from({ length: 10 }, (_, i) => `+l${i}`).join("\n")}`,
  };

  it("ai, mixed and human ranges split the file's lines exactly", () => {
    const traces = parseAgentTraceJsonl(
      trace(SHA, [
        {
          contributor: { type: "ai", model_id: "anthropic/claude-opus-4-6" },
          ranges: [{ start_line: 1, end_line: 3 }],
        },
        { contributor: { type: "mixed" }, ranges: [{ start_line: 4, end_line: 4 }] },
        { contributor: { type: "human" }, ranges: [{ start_line: 5, end_line: 7 }] },
        { contributor: { type: "unknown" }, ranges: [{ start_line: 8, end_line: 8 }] },
      ]),
    );
    const result = attributeCommit(commit({ files: [tenNew] }), { agentTraces: traces });
    expectWellFormed(result);
    const f = result.files[0];
    expect(f?.lines).toEqual({ ai: 4, human: 3, unknown: 3 });
    expect(f?.tool).toBe("cursor");
    expect(f?.model).toBe("anthropic/claude-opus-4-6");
    // One record source naming one tool is one piece of evidence: its strongest weight, not a noisy-OR.
    expect(f?.aiConfidence).toBe(0.95);
  });

  it("records that only name human contributors over every added line give confidence 0 and human lines", () => {
    const traces = parseAgentTraceJsonl(
      trace(SHA, [{ contributor: { type: "human" }, ranges: [{ start_line: 1, end_line: 10 }] }]),
    );
    const result = attributeCommit(
      commit({ files: [tenNew], message: "x\n\nCo-Authored-By: Claude <noreply@anthropic.com>" }),
      { agentTraces: traces },
    );
    expectWellFormed(result);
    expect(result.files[0]?.lines).toEqual({ ai: 0, human: 10, unknown: 0 });
    expect(result.files[0]?.aiConfidence).toBe(0);
    expect(result.files[0]?.tool).toBeNull();
  });

  it("records about another commit are ignored", () => {
    const traces = parseAgentTraceJsonl(
      trace("ffffffffffffffffffffffffffffffffffffffff", [
        { contributor: { type: "ai" }, ranges: [{ start_line: 1, end_line: 10 }] },
      ]),
    );
    const result = attributeCommit(commit({ files: [tenNew] }), { agentTraces: traces });
    expect(result.files[0]?.lines).toEqual({ ai: 0, human: 0, unknown: 10 });
    expect(result.aiConfidence).toBeNull();
  });

  it("an abbreviated revision matches", () => {
    const traces = parseAgentTraceJsonl(
      trace(SHA.slice(0, 12), [{ contributor: { type: "ai" }, ranges: [{ start_line: 2, end_line: 3 }] }]),
    );
    const result = attributeCommit(
      commit({ files: [{ ...tenNew, patch: patchAdding(4, 2), additions: 4 }] }),
      { agentTraces: traces },
    );
    // patchAdding(4, 2) adds new lines 2..5; AI covers 2..3.
    expect(result.files[0]?.lines).toEqual({ ai: 2, human: 0, unknown: 2 });
  });
});
