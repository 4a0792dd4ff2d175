import { Link } from "react-router";
import { useApiQuery, useCurrentOrg, useOrgSlug } from "../api/hooks.ts";
import type { RepositoryRanking } from "../api/types.ts";
import { useMetricsWindow, WindowControls } from "../components/filters.tsx";
import { DoraTiles, MetricsPanel, RecentIncidents } from "../components/metrics.tsx";
import { Empty, QueryState } from "../components/states.tsx";
import { SurvivalPanel } from "../components/survival.tsx";
import { Card, PageHeader } from "../components/ui.tsx";
import { formatNumber, formatPercent } from "../format.ts";

export default function OverviewPage() {
  const org = useCurrentOrg();
  return (
    <div className="page" data-testid="overview-page">
      <PageHeader
        title="Overview"
        subtitle={
          org ? `${org.name} · how much of your code AI writes, and what it does in production` : undefined
        }
        actions={<WindowControls />}
      />
      <MetricsPanel />
      <SurvivalPanel />
      <DoraTiles />
      <div className="grid grid-2">
        <RepositoryRankingCard />
        <RecentIncidents />
      </div>
    </div>
  );
}

function RepositoryRankingCard() {
  const slug = useOrgSlug();
  const { from, to } = useMetricsWindow();
  const query = useApiQuery<{ items: RepositoryRanking[] }>("/metrics/repositories", { from, to });
  return (
    <Card
      title="Repositories by AI share in T3/T4 code"
      actions={<Link to={`/o/${slug}/repositories`}>All repositories</Link>}
    >
      <QueryState
        query={query}
        isEmpty={(d) => d.items.length === 0}
        empty={<Empty title="No repository has changes in this window." />}
      >
        {(data) => (
          <table className="table" data-testid="repository-ranking">
            <thead>
              <tr>
                <th scope="col">Repository</th>
                <th scope="col" className="num">
                  AI share T3/T4
                </th>
                <th scope="col" className="num">
                  T3/T4 lines
                </th>
                <th scope="col" className="num">
                  AI share overall
                </th>
              </tr>
            </thead>
            <tbody>
              {data.items.slice(0, 10).map((repo) => (
                <tr key={repo.repositoryId}>
                  <td>
                    <Link to={`/o/${slug}/repositories/${repo.repositoryId}`}>{repo.fullName}</Link>
                  </td>
                  <td className="num">
                    <span className="bar-cell">
                      <span
                        className="bar"
                        style={{ width: `${Math.round((repo.t3t4AiShare ?? 0) * 100)}%` }}
                        aria-hidden="true"
                      />
                      {formatPercent(repo.t3t4AiShare, 1)}
                    </span>
                  </td>
                  <td className="num">{formatNumber(repo.t3t4Lines)}</td>
                  <td className="num">{formatPercent(repo.aiShare, 1)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
    </Card>
  );
}
