import { sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";

// An API key's last use is kept to the minute. Written before the request is answered, so no
// crash loses it, yet at most once a minute per key across all servers: only a request that finds
// the stored time a minute old writes, and the UPDATE's own condition lets one of several
// concurrent servers through.

const PRECISION_MS = 60_000;

/** Whether a key last used at `lastUsedAt` needs its time written for a use at `now`. */
export function isLastUseStale(lastUsedAt: Date | null, now: Date = new Date()): boolean {
  return lastUsedAt === null || now.getTime() - lastUsedAt.getTime() >= PRECISION_MS;
}

/** Stores now as the key's last use unless a use in the last minute is stored; returns whether it wrote. */
export async function recordApiKeyUse(db: Database, keyId: string): Promise<boolean> {
  const result = await db.execute(sql`
    UPDATE api_keys SET last_used_at = now()
    WHERE id = ${keyId} AND (last_used_at IS NULL OR last_used_at <= now() - interval '1 minute')`);
  return (result.rowCount ?? result.affectedRows ?? 0) > 0;
}
