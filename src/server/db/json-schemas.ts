import { z } from "zod";

// Zod schemas of the JSONB columns that have no domain module of their own.

/** Free-form but bounded facts about an administrative action (what changed, from what, to what). */
export const auditDetailsSchema = z
  .record(z.string().max(100), z.json())
  .refine((value) => JSON.stringify(value).length <= 16_384, "audit details are limited to 16 KB");

/** A GitHub webhook payload kept until it is processed: any JSON object. */
export const deliveryPayloadSchema = z.record(z.string(), z.json());
