import { pruneIntegrationEventsJob } from "../jobs/definitions.ts";
import {
  INTEGRATION_EVENT_RETENTION_DAYS,
  pruneIntegrationEvents,
} from "../services/incidents/integration-events.ts";
import type { WorkerRegistration } from "./registration.ts";

/** Inbound integrations' (PagerDuty's) daily prune of applied event ids. */
export const registerIntegrationWorkers: WorkerRegistration = async ({ queue, handle, clock, logger }) => {
  await queue.work(pruneIntegrationEventsJob, async (payload) => {
    const before = new Date(clock.now().getTime() - payload.days * 86_400_000);
    const removed = await pruneIntegrationEvents(handle.db, before);
    logger.info({ removed, days: payload.days }, "pruned integration events");
  });
  await queue.schedule(pruneIntegrationEventsJob, "27 3 * * *", {
    days: INTEGRATION_EVENT_RETENTION_DAYS,
  });
};
