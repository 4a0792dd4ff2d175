import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { MEMBER_ROLES, ORG_PLANS } from "../../../../core/enums.ts";
import { AppError } from "../../../../core/errors.ts";
import { listMemberships } from "../../../services/access/find-membership.ts";
import { getUser } from "../../../services/access/get-user.ts";
import { deleteAccount } from "../../../services/account/delete-account.ts";
import type { V1Bindings } from "../../middleware/auth.ts";
import { errorResponses, jsonBody, jsonResponse, v1Route } from "./define.ts";

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

const deleteRoute = v1Route("session", {
  method: "delete",
  path: "/api/v1/me",
  tags: ["people"],
  summary: "Delete your own account (sessions only)",
  description:
    "Confirmed by your e-mail address in `confirm` (a different value is a 400). Refused with 409 while " +
    "you are the last owner of an organization that has other members (`details.organizations` names " +
    "them): make someone else owner or delete it first. An organization you are the only member of is " +
    "deleted with the account. Elsewhere your membership, the API keys you created and your open " +
    "invitations go, recorded in each organization's audit log. All your sessions end at once.",
  request: {
    body: jsonBody(
      z.strictObject({
        confirm: z
          .string()
          .max(320)
          .openapi({ description: "Your account's e-mail address", example: "ada@example.com" }),
      }),
    ),
  },
  responses: { 204: { description: "Deleted; you are signed out" }, ...errorResponses(409) },
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

  app.openapi(deleteRoute, async (c) => {
    const { userId } = c.var.auth;
    if (!userId) throw new AppError("forbidden", "this route is for signed-in people, not API keys");
    const { confirm } = c.req.valid("json");
    // People, sessions and several organizations at once: on the connection's role, like /me above.
    await deleteAccount(c.var.db, userId, { confirm });
    return c.body(null, 204);
  });
}
