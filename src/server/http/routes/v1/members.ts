import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { MEMBER_ROLES } from "../../../../core/enums.ts";
import { listMembers, type MemberView } from "../../../services/members/list-members.ts";
import { changeMemberRole, removeMember } from "../../../services/members/manage-members.ts";
import type { V1Bindings } from "../../middleware/auth.ts";
import { withTenant } from "../../middleware/tenant.ts";
import { errorResponses, iso, isoTime, jsonBody, jsonResponse, v1Route } from "./define.ts";

export const memberSchema = z
  .object({
    userId: z.string(),
    name: z.string(),
    email: z.string(),
    role: z.enum(MEMBER_ROLES),
    createdAt: isoTime,
  })
  .openapi("Member");

const userParams = z.object({
  userId: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: "userId", in: "path" }, example: "Jw2d8kq1x0" }),
});

const toJson = (m: MemberView) => ({ ...m, createdAt: iso(m.createdAt) });

const listRoute = v1Route("members:read", {
  method: "get",
  path: "/api/v1/members",
  tags: ["people"],
  summary: "Members of the organization",
  responses: {
    200: jsonResponse(z.object({ items: z.array(memberSchema) }), "Members by name"),
    ...errorResponses(),
  },
});

const changeRoute = v1Route("members:manage", {
  method: "patch",
  path: "/api/v1/members/{userId}",
  tags: ["people"],
  summary: "Change a member's role (admin; owner rules apply)",
  description:
    "Admins manage admins, members and viewers. Only an owner grants, changes or removes the owner role " +
    "(making someone owner transfers ownership). The last owner cannot be demoted (409).",
  request: { params: userParams, body: jsonBody(z.strictObject({ role: z.enum(MEMBER_ROLES) })) },
  responses: { 200: jsonResponse(memberSchema, "The member"), ...errorResponses(409) },
});

const removeRoute = v1Route("members:manage", {
  method: "delete",
  path: "/api/v1/members/{userId}",
  tags: ["people"],
  summary: "Remove a member (admin; owner rules apply)",
  request: { params: userParams },
  responses: { 204: { description: "Removed" }, ...errorResponses(409) },
});

export function registerMemberRoutes(app: OpenAPIHono<V1Bindings>): void {
  app.openapi(listRoute, async (c) => {
    const members = await withTenant(c.var, listMembers);
    return c.json({ items: members.map(toJson) }, 200);
  });
  app.openapi(changeRoute, async (c) => {
    const { userId } = c.req.valid("param");
    const { role } = c.req.valid("json");
    return c.json(toJson(await withTenant(c.var, (ctx) => changeMemberRole(ctx, userId, role))), 200);
  });
  app.openapi(removeRoute, async (c) => {
    const { userId } = c.req.valid("param");
    await withTenant(c.var, (ctx) => removeMember(ctx, userId));
    return c.body(null, 204);
  });
}
