import { getTableColumns, getTableName, type Table } from "drizzle-orm";
import type { z } from "zod";
import { detectionSignalsSchema } from "../../core/attribution/signals.ts";
import type { EventType } from "../../core/enums.ts";
import { AppError } from "../../core/errors.ts";
import { parseEventMetadata } from "../../core/events.ts";
import { incidentMetadataSchema } from "../../core/incidents.ts";
import { metricsBreakdownSchema } from "../../core/metrics-breakdown.ts";
import { orgSettingsSchema, repoSettingsSchema } from "../../core/settings.ts";
import { auditDetailsSchema, deliveryPayloadSchema } from "./json-schemas.ts";

// Application-layer validation of rows before they reach the database, as the spec asks for
// JSONB ("validated at the application layer using Zod schemas") and, so the error names the
// field instead of surfacing a driver error, for enum columns too.

type JsonValidator = (value: unknown, row: Record<string, unknown>) => unknown;

const fromSchema =
  (schema: z.ZodType): JsonValidator =>
  (value) =>
    schema.parse(value);

/** `table.column` (SQL names) → the zod schema its JSONB content must satisfy. */
const JSONB_VALIDATORS: Record<string, JsonValidator> = {
  "organizations.settings": fromSchema(orgSettingsSchema),
  "repositories.settings": fromSchema(repoSettingsSchema),
  "code_events.metadata": (value, row) => parseEventMetadata(row.eventType as EventType, value),
  "code_attribution.detection_signals": fromSchema(detectionSignalsSchema),
  "incidents.metadata": fromSchema(incidentMetadataSchema),
  "repo_metrics.breakdown": fromSchema(metricsBreakdownSchema),
  "audit_log.details": fromSchema(auditDetailsSchema),
  "webhook_deliveries.payload": fromSchema(deliveryPayloadSchema),
};

/** Registers the schema of a JSONB column added by a later module (keeps this file the one place). */
export function registerJsonbValidator(table: string, column: string, schema: z.ZodType): void {
  JSONB_VALIDATORS[`${table}.${column}`] = fromSchema(schema);
}

/**
 * Checks enum values and JSONB contents of a row about to be inserted or updated, returning the
 * row with JSONB replaced by its parsed form (defaults filled in). Throws AppError(bad_request)
 * naming `table.field` on the first problem.
 */
export function validateRow<T extends Table, R extends Record<string, unknown>>(table: T, row: R): R {
  const tableName = getTableName(table);
  const columns = getTableColumns(table) as Record<
    string,
    { name: string; columnType: string; enumValues?: readonly string[]; notNull: boolean }
  >;
  const out: Record<string, unknown> = { ...row };
  for (const [key, value] of Object.entries(row)) {
    const column = columns[key];
    if (!column) throw new AppError("bad_request", `${tableName}.${key}: unknown field`, { field: key });
    if (value === undefined || value === null) continue;
    if (column.columnType === "PgEnumColumn" && column.enumValues) {
      if (typeof value !== "string" || !column.enumValues.includes(value)) {
        throw new AppError(
          "bad_request",
          `${tableName}.${column.name}: ${JSON.stringify(value)} is not one of ${column.enumValues.join(", ")}`,
          { field: key },
        );
      }
    }
    if (column.columnType === "PgJsonb") {
      const validator = JSONB_VALIDATORS[`${tableName}.${column.name}`];
      if (!validator)
        throw new Error(`no zod schema registered for JSONB column ${tableName}.${column.name}`);
      try {
        out[key] = validator(value, row);
      } catch (error) {
        const issue = (error as { issues?: Array<{ path: PropertyKey[]; message: string }> }).issues?.[0];
        const path = [column.name, ...(issue?.path ?? []).map(String)].join(".");
        throw new AppError("bad_request", `${tableName}.${path}: ${issue?.message ?? "invalid JSON"}`, {
          field: path,
        });
      }
    }
  }
  return out as R;
}
