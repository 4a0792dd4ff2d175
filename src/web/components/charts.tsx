import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { RISK_TIERS } from "../../core/enums.ts";
import type { MetricsPoint } from "../api/types.ts";
import { formatBucket, formatNumber, formatPercent, tierLabel } from "../format.ts";

// The dashboard's charts. This module is loaded lazily: recharts is the biggest dependency and the
// page's numbers and tables should not wait for it.

const TOOL_COLORS = ["#4f46e5", "#0891b2", "#d97706", "#db2777", "#16a34a", "#7c3aed", "#dc2626", "#0d9488"];
const OTHER_TOOL = "other or unnamed tools";
// The roll-up's key for AI lines whose tool no evidence named.
const UNNAMED_TOOL = "unknown";
const MAX_TOOLS = 6;
const HEIGHT = 260;

const axisTick = { fontSize: 12, fill: "#64748b" };
const percentTick = (value: number) => formatPercent(value);

/** Tools ordered by AI lines over the whole window; beyond MAX_TOOLS they are grouped. */
function topTools(series: MetricsPoint[]): string[] {
  const totals = new Map<string, number>();
  for (const point of series) {
    for (const [tool, lines] of Object.entries(point.aiLinesByTool ?? {})) {
      if (tool === UNNAMED_TOOL) continue;
      totals.set(tool, (totals.get(tool) ?? 0) + lines);
    }
  }
  return [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([tool]) => tool);
}

/** AI share of added lines per bucket, each bar split by the tool that wrote the lines. */
export function AiShareByToolChart({ series, period }: { series: MetricsPoint[]; period: string }) {
  const tools = topTools(series);
  const shown = tools.slice(0, MAX_TOOLS);
  const grouped = tools.length > MAX_TOOLS;
  const data = series.map((point) => {
    const row: Record<string, number | string> = { date: point.date };
    const byTool = point.aiLinesByTool ?? {};
    const total = point.linesAdded || 0;
    let accounted = 0;
    for (const tool of shown) {
      const lines = byTool[tool] ?? 0;
      accounted += lines;
      row[tool] = total > 0 ? lines / total : 0;
    }
    // AI lines with no tool named, and tools beyond the top ones.
    const rest = Math.max(0, point.aiLinesAdded - accounted);
    if (grouped || rest > 0) row[OTHER_TOOL] = total > 0 ? rest / total : 0;
    return row;
  });
  const keys = data.some((row) => OTHER_TOOL in row) ? [...shown, OTHER_TOOL] : shown;
  // A round top (10%, 20%, …) so the ticks read as plain percentages.
  const highest = Math.max(0, ...series.map((p) => (p.linesAdded > 0 ? p.aiLinesAdded / p.linesAdded : 0)));
  const top = Math.min(1, Math.max(0.1, Math.ceil(highest * 10) / 10));
  return (
    <figure className="chart" aria-label="AI share of added lines over time, stacked by tool">
      <ResponsiveContainer width="100%" height={HEIGHT}>
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="#e2e8f0" vertical={false} />
          <XAxis
            dataKey="date"
            tick={axisTick}
            tickFormatter={(d: string) => formatBucket(d, period)}
            minTickGap={16}
          />
          <YAxis tick={axisTick} tickFormatter={percentTick} width={44} domain={[0, top]} allowDataOverflow />
          <Tooltip
            formatter={(value) => formatPercent(Number(value), 1)}
            labelFormatter={(d) => formatBucket(String(d), period)}
          />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {keys.map((tool, i) => (
            <Bar
              key={tool}
              dataKey={tool}
              stackId="ai"
              fill={tool === OTHER_TOOL ? "#94a3b8" : TOOL_COLORS[i % TOOL_COLORS.length]}
              isAnimationActive={false}
            />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** Share of added lines the engine could attribute either way (not "unknown"). */
export function CoverageChart({ series, period }: { series: MetricsPoint[]; period: string }) {
  const data = series.map((p) => ({ date: p.date, coverage: p.coverage }));
  return (
    <figure className="chart" aria-label="Attribution coverage over time">
      <ResponsiveContainer width="100%" height={HEIGHT}>
        <LineChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="#e2e8f0" vertical={false} />
          <XAxis
            dataKey="date"
            tick={axisTick}
            tickFormatter={(d: string) => formatBucket(d, period)}
            minTickGap={16}
          />
          <YAxis tick={axisTick} tickFormatter={percentTick} width={44} domain={[0, 1]} />
          <Tooltip
            formatter={(value) => formatPercent(Number(value), 1)}
            labelFormatter={(d) => formatBucket(String(d), period)}
          />
          <Line
            type="monotone"
            dataKey="coverage"
            name="Coverage"
            stroke="#0891b2"
            strokeWidth={2}
            dot={false}
            connectNulls
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** Added lines per risk tier over the window, AI-written beside everything else. */
export function TierChart({ series }: { series: MetricsPoint[] }) {
  const data = RISK_TIERS.map((tier) => {
    let lines = 0;
    let aiLines = 0;
    for (const point of series) {
      const t = point.tiers?.[tier];
      lines += t?.lines ?? 0;
      aiLines += t?.aiLines ?? 0;
    }
    return { tier: tierLabel(tier), ai: aiLines, other: Math.max(0, lines - aiLines) };
  });
  return (
    <figure className="chart" aria-label="Added lines by risk tier, AI-written and other">
      <ResponsiveContainer width="100%" height={HEIGHT}>
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="#e2e8f0" vertical={false} />
          <XAxis dataKey="tier" tick={axisTick} />
          <YAxis tick={axisTick} tickFormatter={(v: number) => formatNumber(v)} width={56} />
          <Tooltip formatter={(value) => formatNumber(Number(value))} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Bar dataKey="ai" name="AI-written" fill="#4f46e5" isAnimationActive={false} />
          <Bar dataKey="other" name="Other" fill="#cbd5e1" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** One row per risk tier: churn rate of AI-written lines beside the rest, for one window. */
export interface ChurnTierRow {
  tier: string;
  ai: number | null;
  other: number | null;
}

/** Share of added lines deleted or rewritten within the window, AI-written vs other, by risk tier. */
export function ChurnByTierChart({ rows, days }: { rows: ChurnTierRow[]; days: number }) {
  const data = rows.map((r) => ({ tier: tierLabel(r.tier), ai: r.ai ?? 0, other: r.other ?? 0 }));
  const highest = Math.max(0, ...rows.flatMap((r) => [r.ai ?? 0, r.other ?? 0]));
  const top = Math.min(1, Math.max(0.1, Math.ceil(highest * 10) / 10));
  return (
    <figure className="chart" aria-label={`Churn within ${days} days by risk tier, AI-written and other`}>
      <ResponsiveContainer width="100%" height={HEIGHT}>
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="#e2e8f0" vertical={false} />
          <XAxis dataKey="tier" tick={axisTick} />
          <YAxis tick={axisTick} tickFormatter={percentTick} width={44} domain={[0, top]} allowDataOverflow />
          <Tooltip formatter={(value) => formatPercent(Number(value), 1)} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Bar dataKey="ai" name="AI-written" fill="#4f46e5" isAnimationActive={false} />
          <Bar dataKey="other" name="Other" fill="#cbd5e1" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
