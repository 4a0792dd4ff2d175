import { Link } from "react-router";
import { useApiQuery, useOrgSlug } from "../api/hooks.ts";
import type { Dora, DoraGroup, Incident, MetricsPoint, MetricsSeries, Page } from "../api/types.ts";
import { formatDuration, formatNumber, formatPercent, formatRelative } from "../format.ts";
import { useMetricsWindow } from "./filters.tsx";
import { AiShareByToolChart, CoverageChart, TierChart } from "./lazy-charts.tsx";
import { Empty, QueryState } from "./states.tsx";
import { Card, SeverityBadge, StatusBadge } from "./ui.tsx";

function totals(series: MetricsPoint[]) {
  let linesAdded = 0;
  let aiLines = 0;
  let unknown = 0;
  let commits = 0;
  let incidents = 0;
  let deploys = 0;
  for (const p of series) {
    linesAdded += p.linesAdded;
    aiLines += p.aiLinesAdded;
    unknown += p.unknownLinesAdded;
    commits += p.commits;
    incidents += p.incidentsOpened;
    deploys += p.deploys;
  }
  return {
    linesAdded,
    aiShare: linesAdded > 0 ? aiLines / linesAdded : null,
    coverage: linesAdded > 0 ? (linesAdded - unknown) / linesAdded : null,
    commits,
    incidents,
    deploys,
  };
}

function isQuiet(p: MetricsPoint): boolean {
  return (
    p.commits === 0 && p.linesAdded === 0 && p.prsMerged === 0 && p.deploys === 0 && p.incidentsOpened === 0
  );
}

function Stat({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div className="stat">
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      {hint ? <div className="stat-hint">{hint}</div> : null}
    </div>
  );
}

/** Headline numbers, the AI-share and coverage charts, and lines by tier, for the org or one repository. */
export function MetricsPanel({ repositoryId }: { repositoryId?: string }) {
  const { period, from, to } = useMetricsWindow();
  const query = useApiQuery<MetricsSeries>("/metrics", { period, from, to, repositoryId });
  return (
    <QueryState
      query={query}
      loadingLabel="Loading metrics…"
      // Periods without activity come as zeros: a window of nothing but zeros has nothing to chart.
      isEmpty={(data) => data.series.every(isQuiet)}
      empty={
        <Card>
          <Empty title="No activity in this window.">
            <p>Choose a longer range, or connect GitHub in Settings so new commits are analysed.</p>
          </Empty>
        </Card>
      }
    >
      {(data) => {
        const t = totals(data.series);
        return (
          <>
            <div className="stats" data-testid="metrics-stats">
              <Stat
                label="AI share of added lines"
                value={formatPercent(t.aiShare, 1)}
                hint={`${formatNumber(t.linesAdded)} lines added`}
              />
              <Stat label="Coverage" value={formatPercent(t.coverage, 1)} hint="lines with a verdict" />
              <Stat label="Commits" value={formatNumber(t.commits)} />
              <Stat
                label="Deploys"
                value={formatNumber(t.deploys)}
                hint={`${formatNumber(t.incidents)} incidents opened`}
              />
            </div>
            <div className="grid grid-2-1">
              <Card title="AI share of added lines, by tool">
                <AiShareByToolChart series={data.series} period={data.period} />
              </Card>
              <Card title="Coverage">
                <CoverageChart series={data.series} period={data.period} />
              </Card>
            </div>
            <Card title="Added lines by risk tier">
              <TierChart series={data.series} />
            </Card>
          </>
        );
      }}
    </QueryState>
  );
}

const DORA_ROWS: {
  label: string;
  value: (g: DoraGroup) => string;
  samples: (g: DoraGroup) => number;
  better: "higher" | "lower";
}[] = [
  {
    label: "Deployment frequency",
    value: (g) => `${g.deploymentFrequencyPerWeek.toFixed(1)} / week`,
    samples: (g) => g.deploys,
    better: "higher",
  },
  {
    label: "Lead time for changes",
    value: (g) => formatDuration(g.leadTimeMedianSeconds),
    samples: (g) => g.leadTimeSamples,
    better: "lower",
  },
  {
    label: "Change failure rate",
    value: (g) => formatPercent(g.changeFailureRate, 1),
    samples: (g) => g.deploys,
    better: "lower",
  },
  {
    label: "Time to restore",
    value: (g) => formatDuration(g.timeToRestoreMedianSeconds),
    samples: (g) => g.restoreSamples,
    better: "lower",
  },
];

/** The four DORA measures for AI-heavy changes beside the rest, each with its sample size. */
export function DoraTiles({ repositoryId }: { repositoryId?: string }) {
  const { from, to } = useMetricsWindow();
  const query = useApiQuery<Dora>("/metrics/dora", { from, to, repositoryId });
  return (
    <Card title="DORA: AI-heavy changes vs the rest" id="dora">
      <QueryState query={query} loadingLabel="Loading DORA metrics…">
        {(dora) => (
          <>
            <p className="muted small">
              A deploy is AI-heavy when at least {formatPercent(dora.aiHeavyThreshold)} of its added lines
              were written by AI.
            </p>
            <div className="dora-grid" data-testid="dora-tiles">
              {DORA_ROWS.map((row) => (
                <div className="dora-tile" key={row.label}>
                  <div className="stat-label">{row.label}</div>
                  <div className="dora-pair">
                    <div>
                      <div className="dora-group">AI-heavy</div>
                      <div className="dora-value">{row.value(dora.aiHeavy)}</div>
                      <div className="stat-hint">n = {formatNumber(row.samples(dora.aiHeavy))}</div>
                    </div>
                    <div>
                      <div className="dora-group">Other</div>
                      <div className="dora-value">{row.value(dora.other)}</div>
                      <div className="stat-hint">n = {formatNumber(row.samples(dora.other))}</div>
                    </div>
                  </div>
                </div>
              ))}
            </div>
          </>
        )}
      </QueryState>
    </Card>
  );
}

export function RecentIncidents({ repositoryId, limit = 5 }: { repositoryId?: string; limit?: number }) {
  const org = useOrgSlug();
  const query = useApiQuery<Page<Incident>>("/incidents", { repositoryId, limit });
  return (
    <Card title="Recent incidents" actions={<Link to={`/o/${org}/incidents`}>All incidents</Link>}>
      <QueryState
        query={query}
        isEmpty={(data) => data.items.length === 0}
        empty={<Empty title="No incidents. Quiet is good." />}
      >
        {(data) => (
          <ul className="list">
            {data.items.map((incident) => (
              <li key={incident.id} className="list-row">
                <SeverityBadge severity={incident.severity} />
                <Link to={`/o/${org}/incidents/${incident.id}`} className="grow">
                  {incident.title}
                </Link>
                <StatusBadge status={incident.status} />
                <span className="muted small" title={incident.startedAt}>
                  {formatRelative(incident.startedAt)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </QueryState>
    </Card>
  );
}
