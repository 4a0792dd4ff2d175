import { sql } from "drizzle-orm";
import { boolean, index, jsonb, pgTable, real, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import type { ModelMetrics, ModelWeights, TrainedOn } from "../../../core/attribution/model/schemas.ts";
import { createdAt, id } from "./columns.ts";
import { organizations } from "./organizations.ts";

/**
 * Trained `ml_model` classifiers: weights, what they were trained on and how well they measured.
 * Rows are never updated except to switch `active`: a version names exactly one set of weights,
 * so any stored confidence can be traced to the model that produced it.
 */
export const mlModels = pgTable(
  "ml_models",
  {
    id: id(),
    /** Null: a global model, offered to organizations that have none of their own. */
    orgId: uuid("org_id").references(() => organizations.id, { onDelete: "cascade" }),
    /** `lr-<yyyymmdd>-<fingerprint of the weights>`; copied into every detection_signals it produces. */
    version: text("version").notNull(),
    createdAt: createdAt(),
    trainedOn: jsonb("trained_on").$type<TrainedOn>().notNull(),
    metrics: jsonb("metrics").$type<ModelMetrics>().notNull(),
    weights: jsonb("weights").$type<ModelWeights>().notNull(),
    /** Operating threshold: scores at or above it call a file AI. */
    threshold: real("threshold").notNull(),
    active: boolean("active").notNull().default(false),
  },
  (t) => [
    // At most one active model per organization (and one global one).
    uniqueIndex("ml_models_one_active_key")
      .on(sql`coalesce(${t.orgId}, '00000000-0000-0000-0000-000000000000'::uuid)`)
      .where(sql`${t.active}`),
    uniqueIndex("ml_models_org_version_key").on(
      sql`coalesce(${t.orgId}, '00000000-0000-0000-0000-000000000000'::uuid)`,
      t.version,
    ),
    index("ml_models_org_created_idx").on(t.orgId, t.createdAt),
  ],
);
