import { sql } from "drizzle-orm";
import { AppError } from "../../../core/errors.ts";
import type { Database } from "../../db/client.ts";
import { TENANT_ROLE } from "../../db/tenant-role.ts";
import type { JobQueue } from "../../jobs/queue.ts";
import { type WriteContext, withAfterCommit } from "../../services/after-commit.ts";
import type { RequestAuth } from "./auth.ts";

export { TENANT_ROLE };

/**
 * Runs `fn` in a transaction that PostgreSQL itself confines to one organization: the role drops
 * to sentinel_app and app.org_id names the tenant, both for this transaction only. Services still
 * filter by org_id; this is the second, independent layer.
 */
export async function withTenantTransaction<T>(
  db: Database,
  orgId: string,
  fn: (tx: Database) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql.raw(`SET LOCAL ROLE ${TENANT_ROLE}`));
    await tx.execute(sql`SELECT set_config('app.org_id', ${orgId}, true)`);
    return fn(tx);
  });
}

/**
 * A route's way into its services: the caller's organization, actor and a tenant transaction.
 * What the services ask for after commit (roll-ups) is sent on `queue` once it has committed.
 */
export function withTenant<T>(
  vars: { auth: RequestAuth; db: Database; queue: JobQueue },
  fn: (ctx: WriteContext) => Promise<T>,
): Promise<T> {
  const { auth, db } = vars;
  if (!auth.org)
    throw new AppError("not_found", "organization not found: you are not a member of any organization");
  const orgId = auth.org.id;
  return withAfterCommit(vars.queue, (afterCommit) =>
    withTenantTransaction(db, orgId, (tx) => fn({ db: tx, orgId, actor: auth.actor, afterCommit })),
  );
}
