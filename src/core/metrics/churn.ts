import { CHURN_WINDOWS_DAYS } from "../survival/figures.ts";
import type { SurvivalFact } from "./facts.ts";

// Churn in repo_metrics (docs/metrics.md): a period's row counts the lines its commits added
// (line_survival, classified by code_attribution) that were old enough for each window by the
// history's end, and of those the ones deleted or rewritten within the window.

const DAY_MS = 86_400_000;

/** `[lines, churned]` per key, per window ("14d", "30d", "90d"): what breakdown.churn holds. */
export type ChurnBreakdown = Record<string, Record<string, [number, number]>>;

export const WINDOW_KEYS = CHURN_WINDOWS_DAYS.map((d) => `${d}d`);

/** Whether a fact's lines had the whole window (`days`) to be changed before `historyEnd`. */
export function oldEnough(at: number, historyEnd: number | null, days: number): boolean {
  return historyEnd !== null && historyEnd - at >= days * DAY_MS;
}

export interface ChurnTotals {
  /** Per window: all lines and AI lines, [lines, churned]. */
  all: Array<[number, number]>;
  ai: Array<[number, number]>;
  breakdown: ChurnBreakdown;
}

/** Sums the facts of one period; every window key and class appears, zero or not. */
export function churnOf(facts: readonly SurvivalFact[], historyEnd: number | null): ChurnTotals | null {
  if (facts.length === 0) return null;
  const all = CHURN_WINDOWS_DAYS.map((): [number, number] => [0, 0]);
  const ai = CHURN_WINDOWS_DAYS.map((): [number, number] => [0, 0]);
  const breakdown: ChurnBreakdown = {};
  CHURN_WINDOWS_DAYS.forEach((days, w) => {
    const cells: Record<string, [number, number]> = { ai: [0, 0], human: [0, 0], unknown: [0, 0] };
    const add = (key: string, lines: number, churned: number) => {
      const cell = cells[key] ?? [0, 0];
      cell[0] += lines;
      cell[1] += churned;
      cells[key] = cell;
    };
    for (const f of facts) {
      if (!oldEnough(f.at, historyEnd, days)) continue;
      const churned = f.churned[w] as number;
      const total = all[w] as [number, number];
      total[0] += f.added;
      total[1] += churned;
      if (f.lineClass === "ai") {
        const cell = ai[w] as [number, number];
        cell[0] += f.added;
        cell[1] += churned;
        add(`tool:${f.tool ?? "unknown"}`, f.added, churned);
      }
      add(f.lineClass, f.added, churned);
      add(`tier:${f.tier ?? "none"}:${f.lineClass}`, f.added, churned);
    }
    breakdown[WINDOW_KEYS[w] as string] = Object.fromEntries(
      Object.entries(cells).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  });
  return { all, ai, breakdown };
}
