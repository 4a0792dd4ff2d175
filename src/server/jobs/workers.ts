import type { DatabaseHandle } from "../db/client.ts";
import type { Env } from "../env.ts";
import type { Queue } from "./queue.ts";

/** Registers one domain's job handlers; each domain exports one, src/server/workers/index.ts runs them all. */
export type WorkerRegistration = (queue: Queue, handle: DatabaseHandle, env: Env) => Promise<void>;
