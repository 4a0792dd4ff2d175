import { Link, useParams } from "react-router";
import { RISK_TIERS } from "../../core/enums.ts";
import { useApiQuery, useOrgSlug } from "../api/hooks.ts";
import type { Attribution, CodeEvent, Page, Repository, TopFiles } from "../api/types.ts";
import { FilterBar, useMetricsWindow, useQueryParams, WindowControls } from "../components/filters.tsx";
import { ImportBanner } from "../components/history-import.tsx";
import { DoraTiles, MetricsPanel, RecentIncidents } from "../components/metrics.tsx";
import { Empty, ErrorState, Loading, QueryState } from "../components/states.tsx";
import { SurvivalPanel } from "../components/survival.tsx";
import { Badge, Card, ConfidenceMeter, PageHeader, TierBadge } from "../components/ui.tsx";
import {
  formatDate,
  formatDateTime,
  formatNumber,
  formatRelative,
  parseDay,
  shortSha,
  tierLabel,
} from "../format.ts";

const CONFIDENCE_OPTIONS = [
  { value: "", label: "Any confidence" },
  { value: "0.5", label: "≥ 50%" },
  { value: "0.7", label: "≥ 70%" },
  { value: "0.9", label: "≥ 90%" },
];

export default function RepositoryPage() {
  const { repositoryId = "" } = useParams();
  const repo = useApiQuery<Repository>(`/repositories/${repositoryId}`);
  if (repo.isPending) return <Loading label="Loading repository…" />;
  if (repo.error || !repo.data) return <ErrorState error={repo.error} onRetry={() => repo.refetch()} />;
  return (
    <div className="page" data-testid="repository-page">
      <PageHeader
        title={repo.data.fullName}
        subtitle={
          <>
            Default branch <code>{repo.data.defaultBranch}</code>
            {repo.data.isPrivate ? " · private" : ""}
          </>
        }
        actions={<WindowControls />}
      />
      <ImportBanner repositoryId={repositoryId} />
      <MetricsPanel repositoryId={repositoryId} />
      <SurvivalPanel repositoryId={repositoryId} />
      <FileFilters />
      <div className="grid grid-2">
        <TopAiFiles repositoryId={repositoryId} />
        <RecentEvents repositoryId={repositoryId} />
      </div>
      <RecentChanges repositoryId={repositoryId} />
      <div className="grid grid-2">
        <DoraTiles repositoryId={repositoryId} />
        <RecentIncidents repositoryId={repositoryId} />
      </div>
    </div>
  );
}

/** The attribution filters, kept in the query string (tier, tool, minConfidence, path). */
function useFileFilters() {
  const { get, set } = useQueryParams();
  return {
    tier: get("tier"),
    tool: get("tool"),
    minConfidence: get("minConfidence"),
    path: get("path"),
    set,
  };
}

function FileFilters() {
  const filters = useFileFilters();
  const active = Boolean(filters.tier || filters.tool || filters.minConfidence || filters.path);
  return (
    <FilterBar
      onClear={
        active ? () => filters.set({ tier: null, tool: null, minConfidence: null, path: null }) : undefined
      }
    >
      <label className="field-inline">
        <span>Tier</span>
        <select value={filters.tier} onChange={(e) => filters.set({ tier: e.target.value })} name="tier">
          <option value="">All tiers</option>
          {RISK_TIERS.map((tier) => (
            <option key={tier} value={tier}>
              {tierLabel(tier)}
            </option>
          ))}
        </select>
      </label>
      <label className="field-inline">
        <span>Tool</span>
        <input
          name="tool"
          placeholder="e.g. claude-code"
          defaultValue={filters.tool}
          onKeyDown={(e) => {
            if (e.key === "Enter") filters.set({ tool: e.currentTarget.value.trim() });
          }}
          onBlur={(e) => filters.set({ tool: e.currentTarget.value.trim() })}
        />
      </label>
      <label className="field-inline">
        <span>Confidence</span>
        <select
          value={filters.minConfidence}
          onChange={(e) => filters.set({ minConfidence: e.target.value })}
          name="minConfidence"
        >
          {CONFIDENCE_OPTIONS.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </label>
      <label className="field-inline grow">
        <span>Path</span>
        <input
          name="path"
          placeholder="src/payments/"
          defaultValue={filters.path}
          onKeyDown={(e) => {
            if (e.key === "Enter") filters.set({ path: e.currentTarget.value.trim() });
          }}
          onBlur={(e) => filters.set({ path: e.currentTarget.value.trim() })}
        />
      </label>
    </FilterBar>
  );
}

const RECENT_CHANGES = 25;

/** The latest file changes that match the filters. */
function useRecentChanges(repositoryId: string) {
  const f = useFileFilters();
  return useApiQuery<Page<Attribution>>("/attributions", {
    repositoryId,
    tier: f.tier,
    tool: f.tool,
    minConfidence: f.minConfidence,
    path: f.path,
    limit: RECENT_CHANGES,
  });
}

const TOP_FILES = 12;

/** A UTC day (YYYY-MM-DD) as people read dates. */
const formatDay = (day: string) => formatDate(parseDay(day).toISOString());

function describeWindow(window: TopFiles["window"]): string {
  if (window.from && window.to) return `from ${formatDay(window.from)} to ${formatDay(window.to)}`;
  if (window.from) return `since ${formatDay(window.from)}`;
  if (window.to) return `until ${formatDay(window.to)}`;
  return "of all time";
}

/** Files ranked by AI-written lines, summed by the server over every change matching the filters. */
function TopAiFiles({ repositoryId }: { repositoryId: string }) {
  const f = useFileFilters();
  const { from, to } = useMetricsWindow();
  const query = useApiQuery<TopFiles>(`/repositories/${repositoryId}/top-files`, {
    tier: f.tier,
    tool: f.tool,
    minConfidence: f.minConfidence,
    path: f.path,
    from,
    to,
    limit: TOP_FILES,
  });
  return (
    <Card title="Files with the most AI-written lines">
      <QueryState
        query={query}
        isEmpty={(d) => d.fileChanges === 0}
        empty={<Empty title="No files match these filters." />}
      >
        {(data) =>
          data.items.length === 0 ? (
            <Empty title="No AI-written lines in the matching files." />
          ) : (
            <>
              <table className="table" data-testid="top-ai-files">
                <thead>
                  <tr>
                    <th scope="col">File</th>
                    <th scope="col" title="The tier of its latest change">
                      Tier
                    </th>
                    <th scope="col" className="num">
                      Changes
                    </th>
                    <th scope="col" className="num">
                      AI lines
                    </th>
                    <th scope="col" className="num">
                      Added
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((file) => (
                    <tr key={file.path}>
                      <td
                        className="path"
                        title={file.tools.length > 0 ? `Tools: ${file.tools.join(", ")}` : undefined}
                      >
                        {file.path}
                      </td>
                      <td>
                        <TierBadge tier={file.latestRiskTier} />
                      </td>
                      <td className="num">{formatNumber(file.changes)}</td>
                      <td className="num">{formatNumber(file.aiLines)}</td>
                      <td className="num">{formatNumber(file.linesAdded)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <p className="muted small">
                {data.files > data.items.length
                  ? `The top ${formatNumber(data.items.length)} of ${formatNumber(data.files)} files with AI-written lines, over all `
                  : "Over all "}
                {formatNumber(data.fileChanges)} file changes matching the filters,{" "}
                {describeWindow(data.window)}.
              </p>
            </>
          )
        }
      </QueryState>
    </Card>
  );
}

function RecentChanges({ repositoryId }: { repositoryId: string }) {
  const slug = useOrgSlug();
  const query = useRecentChanges(repositoryId);
  return (
    <Card title="Recent file changes">
      <QueryState
        query={query}
        isEmpty={(d) => d.items.length === 0}
        empty={<Empty title="No file changes match these filters." />}
      >
        {(data) => (
          <table className="table" data-testid="recent-changes">
            <thead>
              <tr>
                <th scope="col">Commit</th>
                <th scope="col">File</th>
                <th scope="col">Tier</th>
                <th scope="col">AI confidence</th>
                <th scope="col">Tool</th>
                <th scope="col" className="num">
                  AI / added
                </th>
                <th scope="col">When</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((a) => (
                <tr key={a.id}>
                  <td>
                    <Link to={`/o/${slug}/repositories/${repositoryId}/commits/${a.commitSha}`}>
                      <code>{shortSha(a.commitSha)}</code>
                    </Link>
                  </td>
                  <td className="path">{a.filePath}</td>
                  <td>
                    <TierBadge tier={a.riskTier} />
                  </td>
                  <td>
                    <ConfidenceMeter value={a.aiConfidence} />
                  </td>
                  <td>{a.tool ?? <span className="muted">—</span>}</td>
                  <td className="num">
                    {formatNumber(a.aiLines)} / {formatNumber(a.linesAdded)}
                  </td>
                  <td title={formatDateTime(a.committedAt)}>{formatRelative(a.committedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
    </Card>
  );
}

const EVENT_LABELS: Record<string, string> = {
  commit: "Commit",
  pr_opened: "PR opened",
  pr_reviewed: "PR reviewed",
  pr_merged: "PR merged",
  deploy: "Deploy",
  incident: "Incident",
};

function RecentEvents({ repositoryId }: { repositoryId: string }) {
  const slug = useOrgSlug();
  const query = useApiQuery<Page<CodeEvent>>("/events", { repositoryId, limit: 15 });
  return (
    <Card title="Recent events">
      <QueryState
        query={query}
        isEmpty={(d) => d.items.length === 0}
        empty={<Empty title="No events yet." />}
      >
        {(data) => (
          <ul className="list" data-testid="recent-events">
            {data.items.map((event) => (
              <li key={event.id} className="list-row">
                <Badge tone={`event-${event.type}`}>{EVENT_LABELS[event.type] ?? event.type}</Badge>
                <span className="grow">
                  {event.commitSha ? (
                    <Link to={`/o/${slug}/repositories/${repositoryId}/commits/${event.commitSha}`}>
                      <code>{shortSha(event.commitSha)}</code>
                    </Link>
                  ) : null}{" "}
                  {typeof event.metadata?.incidentId === "string" ? (
                    <Link to={`/o/${slug}/incidents/${event.metadata.incidentId}`}>
                      {describeEvent(event)}
                    </Link>
                  ) : (
                    describeEvent(event)
                  )}
                </span>
                <span className="muted small" title={formatDateTime(event.timestamp)}>
                  {formatRelative(event.timestamp)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </QueryState>
    </Card>
  );
}

function describeEvent(event: CodeEvent): string {
  const m = event.metadata ?? {};
  const pick = (key: string) =>
    typeof m[key] === "string" || typeof m[key] === "number" ? String(m[key]) : "";
  const incident =
    event.type === "incident" ? [pick("change"), pick("severity").toUpperCase(), pick("status")] : [];
  const parts = [
    ...incident,
    pick("title") || pick("message").split("\n")[0] || "",
    pick("environment") ? `to ${pick("environment")}` : "",
    pick("number") ? `#${pick("number")}` : "",
    event.actor ? `by ${event.actor}` : "",
  ];
  return parts.filter(Boolean).join(" ");
}
