import { describe, expect, it } from "vitest";
import { describeImport, formatBackfillTable } from "../../src/cli/commands/backfills.ts";
import type { RepositorySyncView } from "../../src/server/services/github/repository-sync.ts";
import { secondsLeft } from "../../src/server/services/github/repository-sync.ts";

const base: RepositorySyncView = {
  repoId: "00000000-0000-4000-8000-000000000001",
  fullName: "acme/tools",
  mirror: { status: "ready", reason: null, bytes: 5 * 1024 * 1024, fetchedAt: "2026-12-03T10:00:00Z" },
  backfill: {
    status: "running",
    phase: "commits",
    source: "git",
    reason: null,
    since: "2026-09-01T00:00:00Z",
    commitsDone: 2000,
    commitsTotal: 8000,
    secondsLeft: 90,
    queuedAt: "2026-12-03T10:00:00Z",
    finishedAt: null,
    error: null,
  },
};

describe("sentinel backfills", () => {
  it("draws a running import as a bar with commits done of total, time left and its source", () => {
    expect(describeImport(base)).toBe(
      "[██████░░░░░░░░░░░░░░░░░░] 2,000/8,000 commits · about 2 min left · from git",
    );
  });

  it("says why an import went through REST, and what a failed one is waiting for", () => {
    const rest = {
      ...base,
      backfill: {
        ...base.backfill,
        status: "done" as const,
        source: "rest" as const,
        reason: "mirror unavailable: auth",
      },
    };
    expect(describeImport(rest)).toBe("done: 2,000 commits · through REST (mirror unavailable: auth)");
    const failed = {
      ...base,
      backfill: { ...base.backfill, status: "failed" as const, error: "network down" },
    };
    expect(describeImport(failed)).toBe("failed, will retry: network down");
  });

  it("prints one aligned line per repository with the mirror's size", () => {
    const table = formatBackfillTable([
      base,
      { ...base, fullName: "acme/a-much-longer-name", mirror: { ...base.mirror, status: null, bytes: null } },
    ]);
    expect(table.split("\n")[0]).toBe("REPOSITORY               MIRROR  HISTORY IMPORT");
    expect(table).toContain("acme/tools               5 MiB   [");
    expect(table).toContain("acme/a-much-longer-name  -       [");
    expect(formatBackfillTable([])).toBe("no repositories\n");
  });
});

describe("time left", () => {
  const at = new Date("2026-12-03T10:00:00Z");
  const row = {
    backfillStatus: "running",
    backfillPhase: "commits",
    commitsDone: 1000,
    commitsTotal: 4000,
    commitsStartedAt: new Date(at.getTime() - 10_000),
  };
  it("extrapolates the rate so far", () => {
    expect(secondsLeft(row, at)).toBe(30);
  });
  it("says nothing before it can: no commits yet, too early, another phase, or no total", () => {
    expect(secondsLeft({ ...row, commitsDone: 0 }, at)).toBeNull();
    expect(secondsLeft({ ...row, commitsStartedAt: new Date(at.getTime() - 500) }, at)).toBeNull();
    expect(secondsLeft({ ...row, backfillPhase: "pulls" }, at)).toBeNull();
    expect(secondsLeft({ ...row, commitsTotal: null }, at)).toBeNull();
  });
});
