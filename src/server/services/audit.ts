import { auditLog } from "../db/schema/index.ts";
import { validateRow } from "../db/validate.ts";
import { actorLabel, type ServiceContext } from "./context.ts";

/** Records an administrative action (keys, members, roles, settings, overrides, plan) in the org's audit log. */
export async function recordAudit(
  ctx: ServiceContext,
  action: string,
  target: string | null,
  details: Record<string, unknown> = {},
): Promise<void> {
  await ctx.db
    .insert(auditLog)
    .values(
      validateRow(auditLog, { orgId: ctx.orgId, actor: actorLabel(ctx.actor), action, target, details }),
    );
}
