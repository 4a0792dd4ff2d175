import type { Database } from "../db/client.ts";
import type { GithubApp } from "../github-app/app-client.ts";
import { logger } from "../logger.ts";
import { storedDeliveryIds } from "../services/github/deliveries.ts";

/** GitHub lets an App redeliver deliveries from the last three days. */
export const REDELIVERY_WINDOW_MS = 3 * 86_400_000;

interface HookDelivery {
  id: number;
  guid: string;
  delivered_at: string;
  status_code: number;
}

/**
 * GitHub never retries a failed delivery by itself. This lists the App's recent deliveries and
 * asks for a redelivery of each one that never succeeded, is still inside the window, and that
 * we have not stored (a 2xx we sent may have been lost on the way back).
 */
export async function reconcileDeliveries(
  db: Database,
  app: GithubApp,
  now = new Date(),
): Promise<{ examined: number; redelivered: number }> {
  const cutoff = now.getTime() - REDELIVERY_WINDOW_MS;
  const byGuid = new Map<string, HookDelivery[]>();
  let examined = 0;
  for await (const page of app.octokit.paginate.iterator("GET /app/hook/deliveries", { per_page: 100 })) {
    let reachedCutoff = false;
    for (const d of page.data as HookDelivery[]) {
      if (Date.parse(d.delivered_at) < cutoff) {
        reachedCutoff = true;
        continue;
      }
      examined++;
      const attempts = byGuid.get(d.guid) ?? [];
      attempts.push(d);
      byGuid.set(d.guid, attempts);
    }
    // Newest first: once a page reaches past the window, older pages cannot be redelivered.
    if (reachedCutoff) break;
  }
  const failed = [...byGuid.entries()].filter(([, attempts]) =>
    attempts.every((a) => a.status_code < 200 || a.status_code >= 300),
  );
  if (failed.length === 0) return { examined, redelivered: 0 };
  const have = await storedDeliveryIds(
    db,
    failed.map(([guid]) => guid),
  );
  let redelivered = 0;
  for (const [guid, attempts] of failed) {
    if (have.has(guid)) continue;
    const latest = attempts.reduce((a, b) => (a.id > b.id ? a : b));
    await app.octokit.request("POST /app/hook/deliveries/{delivery_id}/attempts", { delivery_id: latest.id });
    redelivered++;
  }
  logger.info({ examined, redelivered }, "webhook deliveries reconciled");
  return { examined, redelivered };
}
