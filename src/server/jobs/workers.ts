import type { DatabaseHandle } from "../db/client.ts";
import type { Queue } from "./queue.ts";

/** Registers one domain's job handlers; each domain exports one of these. */
export type WorkerRegistration = (queue: Queue, handle: DatabaseHandle) => Promise<void>;

// Every domain's workers, started by `npm start` (in-process) and `npm run worker` (alone).
const registrations: WorkerRegistration[] = [];

export async function registerWorkers(queue: Queue, handle: DatabaseHandle): Promise<void> {
  for (const register of registrations) await register(queue, handle);
}
