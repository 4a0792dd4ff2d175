import { useState } from "react";
import { useApiQuery } from "../api/hooks.ts";
import type { ChurnWindow, RiskTier, Survival } from "../api/types.ts";
import { formatDate, formatNumber, formatPercent } from "../format.ts";
import { useMetricsWindow } from "./filters.tsx";
import { ChurnByTierChart } from "./lazy-charts.tsx";
import { Empty, QueryState } from "./states.tsx";
import { Card } from "./ui.tsx";

// Does AI code last (docs/metrics.md, "Survival, churn and reverts"): churn of the window's added
// lines, AI vs the rest and by tier; revert rates; and what the code base holds today. One request
// (/metrics/survival), read from repo_metrics and line_survival, so the page stays fast.

const TIERS: RiskTier[] = ["T1_boilerplate", "T2_glue", "T3_core", "T4_novel"];

const otherOf = (w: ChurnWindow["byTier"][number]) => {
  const lines = w.human.lines + w.unknown.lines;
  return lines > 0 ? (w.human.churned + w.unknown.churned) / lines : null;
};

export function SurvivalPanel({ repositoryId }: { repositoryId?: string }) {
  const { from, to } = useMetricsWindow();
  const query = useApiQuery<Survival>("/metrics/survival", { from, to, repositoryId });
  return (
    <div className="grid grid-2-1" data-testid="survival-panel">
      <QueryState query={query} loadingLabel="Loading churn…">
        {(data) => (
          <>
            <ChurnCard data={data} />
            <CodeBaseTodayCard data={data} />
          </>
        )}
      </QueryState>
    </div>
  );
}

function ChurnCard({ data }: { data: Survival }) {
  const [days, setDays] = useState(14);
  const window = data.churn.find((w) => w.days === days) ?? data.churn[0];
  const counted = data.churn.some((w) => w.all.lines > 0);
  return (
    <Card
      title="Churn: added lines deleted or rewritten soon after"
      actions={
        <label className="small">
          Within{" "}
          <select value={days} onChange={(e) => setDays(Number(e.target.value))} aria-label="Churn window">
            {data.churn.map((w) => (
              <option key={w.days} value={w.days}>
                {w.days} days
              </option>
            ))}
          </select>
        </label>
      }
    >
      {!counted || window === undefined ? (
        <Empty title="No churn to show yet.">
          <p>
            Churn counts lines once their window has passed, from each repository's line history (its mirror,
            or <code>sentinel analyze --store</code>).
          </p>
        </Empty>
      ) : (
        <>
          <ChurnByTierChart
            days={window.days}
            rows={TIERS.map((tier) => {
              const t = window.byTier.find((b) => b.tier === tier);
              return { tier, ai: t?.ai.rate ?? null, other: t ? otherOf(t) : null };
            })}
          />
          <table className="table" data-testid="churn-table">
            <thead>
              <tr>
                <th scope="col">Within</th>
                <th scope="col" className="num">
                  AI
                </th>
                <th scope="col" className="num">
                  Human
                </th>
                <th scope="col" className="num">
                  Unknown
                </th>
                <th scope="col" className="num">
                  Lines counted
                </th>
              </tr>
            </thead>
            <tbody>
              {data.churn.map((w) => (
                <tr key={w.days}>
                  <td>{w.days} days</td>
                  <td className="num">{formatPercent(w.ai.rate, 1)}</td>
                  <td className="num">{formatPercent(w.human.rate, 1)}</td>
                  <td className="num">{formatPercent(w.unknown.rate, 1)}</td>
                  <td className="num">{formatNumber(w.all.lines)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted small" data-testid="revert-rates">
            Reverted later: {formatPercent(data.reverts.aiHeavy.rate, 1)} of AI-heavy commits (
            {formatNumber(data.reverts.aiHeavy.reverted)} of {formatNumber(data.reverts.aiHeavy.commits)}),{" "}
            {formatPercent(data.reverts.other.rate, 1)} of the others (
            {formatNumber(data.reverts.other.reverted)} of {formatNumber(data.reverts.other.commits)}).
            {data.historyEnd ? ` History up to ${formatDate(data.historyEnd)}.` : ""}
          </p>
        </>
      )}
    </Card>
  );
}

function CodeBaseTodayCard({ data }: { data: Survival }) {
  const today = data.codeBaseToday;
  const parts = [
    { key: "ai", label: "AI", lines: today.ai, className: "split-ai" },
    { key: "human", label: "Human", lines: today.human, className: "split-human" },
    { key: "unknown", label: "Unknown", lines: today.unknown, className: "split-unknown" },
    {
      key: "older",
      label: "Older than the history",
      lines: today.olderThanHistory,
      className: "split-older",
    },
  ];
  return (
    <Card title="What is in the code base today">
      {today.repositories === 0 ? (
        <Empty title="No line history stored yet." />
      ) : (
        <div data-testid="code-base-today">
          <div className="stat-value">{formatPercent(today.aiShare, 1)}</div>
          <div className="stat-hint">
            of the {formatNumber(today.lines)} lines at the tip were written by AI (blame view)
          </div>
          <div className="split-bar split-bar-wide" aria-hidden="true">
            {parts.map((p) => (
              <span
                key={p.key}
                className={p.className}
                style={{ width: `${today.lines > 0 ? (p.lines / today.lines) * 100 : 0}%` }}
              />
            ))}
          </div>
          <ul className="list small">
            {parts.map((p) => (
              <li key={p.key}>
                <span className={`legend-swatch ${p.className}`} aria-hidden="true" /> {p.label}:{" "}
                {formatNumber(p.lines)} ({formatPercent(today.lines > 0 ? p.lines / today.lines : null, 1)})
              </li>
            ))}
          </ul>
        </div>
      )}
    </Card>
  );
}
