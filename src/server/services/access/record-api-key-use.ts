import { sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { logger } from "../../logger.ts";

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

const FLUSH_EVERY_MS = 60_000;

/**
 * Remembers when each API key was last used and writes it at most once a minute per key, in one
 * statement for all keys, so authenticating a request never waits on (or adds) a write.
 */
export class ApiKeyUseRecorder {
  readonly #db: Database;
  readonly #pending = new Map<string, Date>();
  readonly #timer: NodeJS.Timeout;

  constructor(db: Database, flushEveryMs = FLUSH_EVERY_MS) {
    this.#db = db;
    this.#timer = setInterval(() => {
      this.flush().catch((err: unknown) => logger.warn({ err }, "could not record API key use"));
    }, flushEveryMs);
    // Never keeps a process alive on its own.
    this.#timer.unref();
  }

  record(keyId: string, at = new Date()): void {
    this.#pending.set(keyId, at);
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  async flush(): Promise<void> {
    if (this.#pending.size === 0) return;
    const batch = new Map(this.#pending);
    this.#pending.clear();
    await recordApiKeyUse(this.#db, batch);
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
