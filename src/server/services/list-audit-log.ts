import { and, desc, eq } from "drizzle-orm";
import { auditLog } from "../db/schema/organizations.ts";
import type { ServiceContext } from "./context.ts";
import { decodeCursor, encodeCursor, exactTime, olderThan, pageOf, timeIdCursor } from "./pagination.ts";

export interface AuditLogItem {
  id: string;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  createdAt: Date;
}

/** The organization's administrative actions, newest first, cursor-paginated. */
export async function listAuditLog(
  ctx: ServiceContext,
  input: { limit: number; cursor?: string | undefined },
): Promise<{ items: AuditLogItem[]; nextCursor: string | null }> {
  const after = decodeCursor(input.cursor, timeIdCursor);
  const rows = await ctx.db
    .select({
      id: auditLog.id,
      actor: auditLog.actor,
      action: auditLog.action,
      target: auditLog.target,
      details: auditLog.details,
      createdAt: auditLog.createdAt,
      position: exactTime(auditLog.createdAt),
    })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.orgId, ctx.orgId),
        after ? olderThan(auditLog.createdAt, auditLog.id, after) : undefined,
      ),
    )
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(input.limit + 1);
  const page = pageOf(rows, input.limit, (last) => encodeCursor({ t: last.position, id: last.id }));
  return { items: page.items.map(({ position: _, ...item }) => item), nextCursor: page.nextCursor };
}
