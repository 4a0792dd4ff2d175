import { sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";

/** Writes the last-use times gathered in memory, one statement for all keys. */
export async function recordApiKeyUse(db: Database, uses: ReadonlyMap<string, Date>): Promise<void> {
  if (uses.size === 0) return;
  const values = sql.join(
    [...uses].map(([id, at]) => sql`(${id}::uuid, ${at.toISOString()}::timestamptz)`),
    sql`, `,
  );
  await db.execute(sql`
    UPDATE api_keys AS k SET last_used_at = v.at
    FROM (VALUES ${values}) AS v(id, at)
    WHERE k.id = v.id AND (k.last_used_at IS NULL OR k.last_used_at < v.at)`);
}
