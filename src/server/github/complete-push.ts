import { completePushJob } from "../jobs/github-definitions.ts";
import { logger } from "../logger.ts";
import type { ServiceContext } from "../services/context.ts";
import { findRepository } from "../services/github/repositories.ts";
import { type ApiCommit, commitEventFromApi } from "./api-mapping.ts";
import type { GithubJobDeps } from "./backfill.ts";
import { prepareIngestionQueues } from "./enqueue-many.ts";
import { recordEvents } from "./record-events.ts";

type Payload = (typeof completePushJob.schema)["_output"];

const PER_PAGE = 250;

/**
 * A push payload lists at most 2,048 commits. This fetches the whole range through the compare
 * API, page by page; commits already stored from the payload are skipped by their natural key.
 */
export async function completePush(deps: GithubJobDeps, payload: Payload): Promise<number> {
  const lookup: ServiceContext = {
    db: deps.db,
    orgId: payload.orgId,
    actor: { kind: "job", name: completePushJob.name },
  };
  const repo = await findRepository(lookup, payload.repoId);
  if (!repo?.tracked || !repo.installationId) return 0;
  const [owner, name] = repo.fullName.split("/");
  if (!owner || !name) return 0;
  const octokit = await deps.app.getInstallationOctokit(repo.installationId);
  await prepareIngestionQueues(deps.queue);
  let added = 0;
  for (let page = 1; ; page++) {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/compare/{basehead}", {
      owner,
      repo: name,
      basehead: `${payload.base}...${payload.head}`,
      per_page: PER_PAGE,
      page,
    });
    const events = (data.commits as ApiCommit[]).flatMap(
      (c) => commitEventFromApi(repo.id, payload.branch, c, "push") ?? [],
    );
    added += await deps.db.transaction(
      async (tx) => (await recordEvents({ ...lookup, db: tx }, deps.queue, events)).length,
    );
    if (data.commits.length < PER_PAGE) break;
  }
  logger.info(
    { repo: repo.fullName, base: payload.base, head: payload.head, added },
    "push completed through compare",
  );
  return added;
}
