import { registerAttributionWorkers } from "../attribution/workers.ts";
import type { DatabaseHandle } from "../db/client.ts";
import type { Env } from "../env.ts";
import { registerGithubWorkers } from "./github-workers.ts";
import { registerIntegrationWorkers } from "./integration-workers.ts";
import { registerMetricsWorkers } from "./metrics.ts";
import type { Queue } from "./queue.ts";
import { registerTrainModelWorker } from "./train-model.ts";

/** Registers one domain's job handlers; each domain exports one of these. */
export type WorkerRegistration = (queue: Queue, handle: DatabaseHandle, env: Env) => Promise<void>;

// Every domain's workers, started by `npm start` (in-process) and `npm run worker` (alone).
const registrations: WorkerRegistration[] = [
  registerAttributionWorkers,
  registerTrainModelWorker,
  registerMetricsWorkers,
  registerGithubWorkers,
  registerIntegrationWorkers,
];

export async function registerWorkers(queue: Queue, handle: DatabaseHandle, env: Env): Promise<void> {
  for (const register of registrations) await register(queue, handle, env);
}
