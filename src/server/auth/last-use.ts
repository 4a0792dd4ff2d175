import type { Database } from "../db/client.ts";
import { logger } from "../logger.ts";
import { recordApiKeyUse } from "../services/access/record-api-key-use.ts";

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
