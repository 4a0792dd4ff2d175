import {
  dropCodeEventsBefore,
  ensureCodeEventPartitions,
  MONTHS_AHEAD,
  monthStart,
} from "../db/code-event-partitions.ts";
import { maintainCodeEventPartitionsJob } from "../jobs/definitions.ts";
import type { WorkerRegistration } from "./registration.ts";

/**
 * code_events' partitions: months created ahead every day (every process also creates them when
 * it migrates at start), and, when SENTINEL_CODE_EVENTS_RETENTION_MONTHS is set, old months dropped.
 */
export const registerCodeEventPartitionWorkers: WorkerRegistration = async ({
  queue,
  handle,
  clock,
  logger,
  env,
}) => {
  await queue.work(maintainCodeEventPartitionsJob, async ({ monthsAhead, retentionMonths }) => {
    const now = clock.now();
    const ensured = await ensureCodeEventPartitions(handle.db, { now, monthsAhead });
    const retention =
      retentionMonths === undefined
        ? null
        : await dropCodeEventsBefore(handle.db, monthStart(now, -retentionMonths));
    logger.info(
      {
        job: maintainCodeEventPartitionsJob.name,
        created: ensured.created,
        movedRows: ensured.movedRows,
        ...(retention && {
          retentionMonths,
          dropped: retention.dropped,
          deletedFromDefault: retention.deletedFromDefault,
        }),
      },
      "code_events partitions maintained",
    );
  });
  const retentionMonths = env.SENTINEL_CODE_EVENTS_RETENTION_MONTHS;
  await queue.schedule(maintainCodeEventPartitionsJob, "7 0 * * *", {
    monthsAhead: MONTHS_AHEAD,
    ...(retentionMonths !== undefined && { retentionMonths }),
  });
};
