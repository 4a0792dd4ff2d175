import { eq, sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { reattributionScans } from "../../db/schema/index.ts";

/**
 * Claims the re-attribution scan of `engineVersion` for the caller's transaction: true for the
 * first caller ever, false for everyone after (whoever else already claimed it, committed or not:
 * the primary key makes a concurrent claimer wait for the first one's outcome).
 */
export async function claimReattributionScan(tx: Database, engineVersion: string): Promise<boolean> {
  const claimed = await tx
    .insert(reattributionScans)
    .values({ engineVersion })
    .onConflictDoNothing()
    .returning({ engineVersion: reattributionScans.engineVersion });
  return claimed.length > 0;
}

/** Records that the scan finished and how many commits it queued. */
export async function completeReattributionScan(
  db: Database,
  engineVersion: string,
  commits: number,
): Promise<void> {
  await db
    .update(reattributionScans)
    .set({ completedAt: sql`now()`, commits })
    .where(eq(reattributionScans.engineVersion, engineVersion));
}
