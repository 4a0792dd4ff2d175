import fc from "fast-check";
import { type AttributionFact, emptyTiers, type RepoFacts } from "../../../src/core/metrics/facts.ts";

// One repository's week of activity, small enough to compute every metric by hand (see the
// expectations beside each test and docs/metrics.md).
export const t = (iso: string) => Date.parse(iso);

function attribution(
  sha: string,
  at: string,
  x: Partial<Omit<AttributionFact, "sha" | "at" | "tiers">> & { tiers?: Partial<AttributionFact["tiers"]> },
): AttributionFact {
  return {
    sha,
    at: t(at),
    files: x.files ?? 1,
    linesAdded: x.linesAdded ?? 0,
    linesDeleted: x.linesDeleted ?? 0,
    aiLines: x.aiLines ?? 0,
    humanLines: x.humanLines ?? 0,
    unknownLines: x.unknownLines ?? 0,
    tiers: { ...emptyTiers(), ...x.tiers },
    aiLinesByTool: x.aiLinesByTool ?? {},
  };
}

export const HAND_FACTS: RepoFacts = {
  commits: [
    { sha: "c1", at: t("2026-03-02T10:00:00Z") },
    { sha: "c2", at: t("2026-03-03T10:00:00Z") },
    { sha: "c3", at: t("2026-03-08T23:59:59Z") },
    { sha: "c4", at: t("2026-03-09T00:00:00Z") },
  ],
  attributions: [
    attribution("c1", "2026-03-02T10:00:00Z", {
      files: 2,
      linesAdded: 100,
      linesDeleted: 10,
      aiLines: 80,
      humanLines: 10,
      unknownLines: 10,
      tiers: { T3_core: { lines: 60, aiLines: 50 }, T1_boilerplate: { lines: 40, aiLines: 30 } },
      aiLinesByTool: { claude: 80 },
    }),
    attribution("c2", "2026-03-03T10:00:00Z", {
      linesAdded: 50,
      linesDeleted: 5,
      humanLines: 50,
      tiers: { T2_glue: { lines: 50, aiLines: 0 } },
    }),
    attribution("c3", "2026-03-08T23:59:59Z", {
      linesAdded: 20,
      aiLines: 10,
      unknownLines: 10,
      tiers: { T4_novel: { lines: 20, aiLines: 10 } },
      aiLinesByTool: { copilot: 10 },
    }),
    attribution("c4", "2026-03-09T00:00:00Z", {
      linesAdded: 10,
      unknownLines: 10,
      tiers: { T1_boilerplate: { lines: 10, aiLines: 0 } },
    }),
  ],
  pullRequests: [
    {
      kind: "opened",
      number: 1,
      at: t("2026-03-02T09:00:00Z"),
      reopened: false,
      openedAt: null,
      mergeCommitSha: null,
    },
    {
      kind: "opened",
      number: 1,
      at: t("2026-03-02T09:30:00Z"),
      reopened: true,
      openedAt: null,
      mergeCommitSha: null,
    },
    {
      kind: "reviewed",
      number: 1,
      at: t("2026-03-02T11:00:00Z"),
      reopened: false,
      openedAt: null,
      mergeCommitSha: null,
    },
    {
      kind: "reviewed",
      number: 1,
      at: t("2026-03-02T12:00:00Z"),
      reopened: false,
      openedAt: null,
      mergeCommitSha: null,
    },
    {
      kind: "merged",
      number: 1,
      at: t("2026-03-03T10:00:00Z"),
      reopened: false,
      openedAt: t("2026-03-02T09:00:00Z"),
      mergeCommitSha: "c2",
    },
    {
      kind: "merged",
      number: 2,
      at: t("2026-03-08T20:00:00Z"),
      reopened: false,
      openedAt: t("2026-03-08T19:00:00Z"),
      mergeCommitSha: "c3",
    },
  ],
  deploys: [
    { id: "d0", sha: null, at: t("2026-02-27T00:00:00Z") },
    { id: "d1", sha: "c2", at: t("2026-03-03T12:00:00Z") },
    { id: "d2", sha: "c4", at: t("2026-03-09T06:00:00Z") },
  ],
  incidents: [
    {
      id: "i1",
      severity: "sev1",
      startedAt: t("2026-03-03T13:00:00Z"),
      resolvedAt: t("2026-03-03T15:00:00Z"),
      deployEventId: "d1",
      suspectAiShare: 80 / 150,
    },
    {
      id: "i2",
      severity: "sev2",
      startedAt: t("2026-03-03T14:00:00Z"),
      resolvedAt: t("2026-03-03T14:30:00Z"),
      deployEventId: "d1",
      suspectAiShare: 80 / 150,
    },
    {
      id: "i3",
      severity: "sev3",
      startedAt: t("2026-03-10T00:00:00Z"),
      resolvedAt: null,
      deployEventId: "d2",
      suspectAiShare: 10 / 30,
    },
  ],
};

// Random repository activity over about three months.
const START = t("2025-12-01T00:00:00Z");
const SPAN = 100 * 86_400_000;
const instant = fc.integer({ min: START, max: START + SPAN });
export const factsArbitrary: fc.Arbitrary<RepoFacts> = fc
  .record({
    commits: fc.array(
      fc.record({
        at: instant,
        added: fc.nat(200),
        ai: fc.nat(200),
        tool: fc.constantFrom("claude", "copilot", "cursor"),
      }),
      { maxLength: 40 },
    ),
    prs: fc.array(
      fc.record({
        kind: fc.constantFrom("opened" as const, "merged" as const, "reviewed" as const),
        number: fc.integer({ min: 1, max: 15 }),
        at: instant,
      }),
      { maxLength: 30 },
    ),
    deploys: fc.array(instant, { maxLength: 12 }),
    incidents: fc.array(
      fc.record({ at: instant, deploy: fc.nat(15), restore: fc.option(fc.nat(86_400_000)) }),
      { maxLength: 10 },
    ),
  })
  .map(({ commits, prs, deploys, incidents }) => ({
    commits: commits.map((c, i) => ({ sha: `s${i}`, at: c.at })),
    attributions: commits.map((c, i) => {
      const ai = Math.min(c.ai, c.added);
      const tiers = emptyTiers();
      tiers[i % 2 === 0 ? "T3_core" : "T1_boilerplate"] = { lines: c.added, aiLines: ai };
      return {
        sha: `s${i}`,
        at: c.at,
        files: 1 + (i % 3),
        linesAdded: c.added,
        linesDeleted: i,
        aiLines: ai,
        humanLines: c.added - ai,
        unknownLines: 0,
        tiers,
        aiLinesByTool: ai > 0 ? { [c.tool]: ai } : {},
      };
    }),
    pullRequests: prs.map((p) => ({
      ...p,
      reopened: false,
      openedAt: p.kind === "merged" ? p.at - 3_600_000 : null,
      mergeCommitSha: p.kind === "merged" ? `s${p.number}` : null,
    })),
    deploys: deploys.map((at, i) => ({ id: `d${i}`, sha: null, at })),
    incidents: incidents.map((x, i) => ({
      id: `i${i}`,
      severity: "sev2" as const,
      startedAt: x.at,
      resolvedAt: x.restore === null ? null : x.at + x.restore,
      deployEventId: `d${x.deploy}`,
      suspectAiShare: (i % 3) / 2,
    })),
    // Line survival of each commit's file: every class, named and unnamed tiers, lines of every
    // age against a fixed history end (so some are too young for a window), and some reverts.
    survival: commits.map((c, i) => {
      const added = c.added + 1;
      const c14 = Math.min(i % 5, added);
      const c30 = Math.min(c14 + (i % 2), added);
      const c90 = Math.min(c30 + 1, added);
      const lineClass = (["ai", "human", "unknown"] as const)[i % 3] ?? "unknown";
      return {
        sha: `s${i}`,
        path: `src/f${i % 4}.ts`,
        at: c.at,
        lineClass,
        tool: lineClass === "ai" ? c.tool : null,
        tier: i % 2 === 0 ? ("T3_core" as const) : null,
        added,
        churned: [c14, c30, c90] as [number, number, number],
      };
    }),
    historyEnd: START + SPAN,
    revertedShas: commits.flatMap((_, i) => (i % 4 === 1 ? [`s${i}`] : [])),
  }));
