import { Link } from "react-router";
import { useApiQuery, useOrgSlug } from "../api/hooks.ts";
import type { Repository, RepositoryRanking } from "../api/types.ts";
import { useMetricsWindow, WindowControls } from "../components/filters.tsx";
import { Empty, InlineError, QueryState } from "../components/states.tsx";
import { Badge, Card, PageHeader } from "../components/ui.tsx";
import { formatNumber, formatPercent } from "../format.ts";

export default function RepositoriesPage() {
  const slug = useOrgSlug();
  const { from, to } = useMetricsWindow();
  const repositories = useApiQuery<{ items: Repository[] }>("/repositories");
  const ranking = useApiQuery<{ items: RepositoryRanking[] }>("/metrics/repositories", { from, to });
  const byId = new Map((ranking.data?.items ?? []).map((r) => [r.repositoryId, r]));
  return (
    <div className="page" data-testid="repositories-page">
      <PageHeader title="Repositories" actions={<WindowControls showPeriod={false} />} />
      {ranking.error ? <InlineError error={ranking.error} /> : null}
      <Card>
        <QueryState
          query={repositories}
          isEmpty={(d) => d.items.length === 0}
          empty={
            <Empty title="No repositories yet.">
              <p>
                Install the GitHub App from <Link to={`/o/${slug}/settings#github`}>Settings</Link>, or run{" "}
                <code>sentinel analyze &lt;path&gt;</code> on a local clone.
              </p>
            </Empty>
          }
        >
          {(data) => (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Repository</th>
                  <th scope="col">Default branch</th>
                  <th scope="col" className="num">
                    Lines added
                  </th>
                  <th scope="col" className="num">
                    AI share
                  </th>
                  <th scope="col" className="num">
                    AI share T3/T4
                  </th>
                </tr>
              </thead>
              <tbody>
                {[...data.items]
                  .sort((a, b) => (byId.get(b.id)?.t3t4AiShare ?? -1) - (byId.get(a.id)?.t3t4AiShare ?? -1))
                  .map((repo) => {
                    const r = byId.get(repo.id);
                    return (
                      <tr key={repo.id}>
                        <td>
                          <Link to={`/o/${slug}/repositories/${repo.id}`}>{repo.fullName}</Link>{" "}
                          {repo.isPrivate ? <Badge>private</Badge> : null}
                          {repo.tracked ? null : (
                            <Badge tone="muted">
                              {repo.untrackedReason === "plan_limit"
                                ? "not tracked: over the plan's repository limit"
                                : "not tracked"}
                            </Badge>
                          )}
                        </td>
                        <td>
                          <code>{repo.defaultBranch}</code>
                        </td>
                        <td className="num">{formatNumber(r?.linesAdded ?? 0)}</td>
                        <td className="num">{formatPercent(r?.aiShare, 1)}</td>
                        <td className="num">{formatPercent(r?.t3t4AiShare, 1)}</td>
                      </tr>
                    );
                  })}
              </tbody>
            </table>
          )}
        </QueryState>
      </Card>
    </div>
  );
}
