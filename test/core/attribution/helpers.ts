import { expect } from "vitest";
import { detectionSignalsSchema } from "../../../src/core/attribution/signals.ts";
import type { CommitAttribution, CommitInput, FileChange } from "../../../src/core/attribution/types.ts";

export const HUMAN = { name: "Jane Doe", email: "jane@example.com" };

/** A patch adding `n` lines starting at new line `start` (after one context line). */
export function patchAdding(n: number, start = 2, text = (i: number) => `const v${i} = ${i};`): string {
  const body = Array.from({ length: n }, (_, i) => `+${text(i)}`).join("\n");
  return `@@ -${start - 1},1 +${start - 1},${n + 1} @@\n context\n${body}\n`;
}

export function file(path: string, additions = 10, extra: Partial<FileChange> = {}): FileChange {
  return { path, status: "modified", additions, deletions: 0, patch: patchAdding(additions), ...extra };
}

export function commit(overrides: Partial<CommitInput> = {}): CommitInput {
  return {
    sha: "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
    message: "Change things",
    author: HUMAN,
    committer: HUMAN,
    parents: ["0000000000000000000000000000000000000000"],
    branch: "main",
    committedAt: "2026-03-01T12:00:00Z",
    files: [file("src/service/orders.ts")],
    ...overrides,
  };
}

/** Every file's detection_signals must be storable, and every file's lines must sum to its additions. */
export function expectWellFormed(result: CommitAttribution): void {
  for (const f of result.files) {
    expect(detectionSignalsSchema.safeParse(f.detectionSignals).success, f.path).toBe(true);
    expect(f.lines.ai + f.lines.human + f.lines.unknown, f.path).toBe(f.linesAdded);
    expect(f.detectionSignals.lines).toEqual(f.lines);
  }
  const sum = result.files.reduce((n, f) => n + f.linesAdded, 0);
  expect(result.lines.ai + result.lines.human + result.lines.unknown).toBe(sum);
}
