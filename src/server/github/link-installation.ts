import type { Database } from "../db/client.ts";
import type { GithubApp } from "../github-app/app-client.ts";
import { processDeliveriesJob } from "../jobs/github-definitions.ts";
import type { Queue } from "../jobs/queue.ts";
import type { Actor } from "../services/context.ts";
import { findInstallation, linkInstallation, upsertInstallation } from "../services/github/installations.ts";
import { enqueueMany, prepareIngestionQueues } from "./enqueue-many.ts";
import { installationSchema } from "./payloads.ts";

export interface LinkResult {
  installationId: number;
  accountLogin: string;
  pendingDeliveries: number;
}

/**
 * Links an installation to an organization and, in the same transaction, enqueues the processing
 * of the deliveries that waited for it. An installation we have not heard of yet (its webhook
 * may arrive after the setup redirect) is looked up through the App's API first.
 */
export async function linkInstallationToOrg(
  db: Database,
  queue: Queue,
  app: GithubApp | null,
  input: { orgId: string; installationId: number; actor: Actor },
): Promise<LinkResult> {
  if (app && !(await findInstallation(db, input.installationId))) {
    const { data } = await app.octokit.request("GET /app/installations/{installation_id}", {
      installation_id: input.installationId,
    });
    await upsertInstallation(db, installationSchema.parse(data));
  }
  await prepareIngestionQueues(queue);
  return db.transaction(async (tx) => {
    const { installation, pendingDeliveries } = await linkInstallation(
      { db: tx, orgId: input.orgId, actor: input.actor },
      { installationId: input.installationId },
    );
    if (pendingDeliveries > 0) {
      await enqueueMany(queue, tx, processDeliveriesJob, [{ installationId: input.installationId }]);
    }
    return {
      installationId: installation.installationId,
      accountLogin: installation.accountLogin,
      pendingDeliveries,
    };
  });
}
