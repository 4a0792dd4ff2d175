import { pruneIntegrationEventsJob } from "../jobs/definitions.ts";
import type { WorkerRegistration } from "../jobs/workers.ts";
import { logger } from "../logger.ts";
import {
  INTEGRATION_EVENT_RETENTION_DAYS,
  pruneIntegrationEvents,
} from "../services/incidents/integration-events.ts";

/** Inbound integrations' (PagerDuty's) daily prune of applied event ids. */
export const registerIntegrationWorkers: WorkerRegistration = async (queue, handle) => {
  await queue.work(pruneIntegrationEventsJob, async (payload) => {
    const removed = await pruneIntegrationEvents(handle.db, new Date(Date.now() - payload.days * 86_400_000));
    logger.info({ removed, days: payload.days }, "pruned integration events");
  });
  await queue.boss.schedule(pruneIntegrationEventsJob.name, "27 3 * * *", {
    days: INTEGRATION_EVENT_RETENTION_DAYS,
  });
};
