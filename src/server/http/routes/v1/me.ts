import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { MEMBER_ROLES, ORG_PLANS } from "../../../../core/enums.ts";
import { AppError } from "../../../../core/errors.ts";
import { listMemberships } from "../../../services/access/find-membership.ts";
import { getUser } from "../../../services/access/get-user.ts";
import type { V1Bindings } from "../../middleware/auth.ts";
import { errorResponses, jsonResponse, v1Route } from "./define.ts";

export const meSchema = z
  .object({
    user: z.object({ id: z.string(), name: z.string(), email: z.string() }),
    organizations: z.array(
      z.object({
        id: z.uuid(),
        slug: z.string(),
        name: z.string(),
        plan: z.enum(ORG_PLANS),
        role: z.enum(MEMBER_ROLES),
      }),
    ),
  })
  .openapi("Me");

const meRoute = v1Route("session", {
  method: "get",
  path: "/api/v1/me",
  tags: ["people"],
  summary: "The signed-in person and their organizations (sessions only)",
  responses: { 200: jsonResponse(meSchema, "Who you are"), ...errorResponses() },
});

export function registerMeRoutes(app: OpenAPIHono<V1Bindings>): void {
  app.openapi(meRoute, async (c) => {
    const { userId } = c.var.auth;
    if (!userId) throw new AppError("forbidden", "this route is for signed-in people, not API keys");
    // Before any tenant is chosen: the person's own row and memberships, on the connection's role.
    const user = await getUser(c.var.db, userId);
    const memberships = await listMemberships(c.var.db, userId);
    return c.json({ user, organizations: memberships.map((m) => ({ ...m.org, role: m.role })) }, 200);
  });
}
