import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { MEMBER_ROLES } from "../../../../core/enums.ts";
import { AppError } from "../../../../core/errors.ts";
import { acceptInvitation, findInvitationForUser } from "../../../services/invitations/accept-invitation.ts";
import {
  createInvitation,
  createInvitationInputSchema,
} from "../../../services/invitations/create-invitation.ts";
import { type InvitationView, listInvitations } from "../../../services/invitations/list-invitations.ts";
import { revokeInvitation } from "../../../services/invitations/revoke-invitation.ts";
import type { V1Bindings } from "../../middleware/auth.ts";
import { withTenant, withTenantTransaction } from "../../middleware/tenant.ts";
import { errorResponses, idParams, iso, isoTime, jsonBody, jsonResponse, v1Route } from "./define.ts";

export const invitationSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    role: z.enum(MEMBER_ROLES),
    expiresAt: isoTime,
    acceptedAt: isoTime.nullable(),
    createdAt: isoTime,
  })
  .openapi("Invitation");

export const createdSchema = invitationSchema
  .extend({ acceptUrl: z.url().openapi({ description: "Shown once: hand it to the invitee" }) })
  .openapi("CreatedInvitation");

const toJson = (i: InvitationView) => ({
  ...i,
  expiresAt: iso(i.expiresAt),
  acceptedAt: iso(i.acceptedAt),
  createdAt: iso(i.createdAt),
});

const listRoute = v1Route("invitations:manage", {
  method: "get",
  path: "/api/v1/invitations",
  tags: ["people"],
  summary: "Invitations, newest first (admin)",
  responses: {
    200: jsonResponse(z.object({ items: z.array(invitationSchema) }), "Invitations"),
    ...errorResponses(),
  },
});

const createRoute = v1Route("invitations:manage", {
  method: "post",
  path: "/api/v1/invitations",
  tags: ["people"],
  summary: "Invite an e-mail address (admin)",
  description:
    "No mail is sent: the response carries the accept link, once. Counts against the plan's member limit (402).",
  request: { body: jsonBody(createInvitationInputSchema) },
  responses: { 201: jsonResponse(createdSchema, "The invitation and its link"), ...errorResponses(402, 409) },
});

const revokeRoute = v1Route("invitations:manage", {
  method: "delete",
  path: "/api/v1/invitations/{id}",
  tags: ["people"],
  summary: "Revoke an invitation (admin)",
  request: { params: idParams },
  responses: { 204: { description: "Revoked" }, ...errorResponses() },
});

const acceptRoute = v1Route("session", {
  method: "post",
  path: "/api/v1/invitations/accept",
  tags: ["people"],
  summary: "Accept an invitation as the signed-in person (sessions only)",
  description: "The signed-in address must be the invited one.",
  request: { body: jsonBody(z.strictObject({ token: z.string().min(16).max(200) })) },
  responses: {
    200: jsonResponse(
      z.object({ organization: z.object({ id: z.uuid(), slug: z.string() }), role: z.enum(MEMBER_ROLES) }),
      "You are a member now",
    ),
    ...errorResponses(402),
  },
});

export function registerInvitationRoutes(app: OpenAPIHono<V1Bindings>, publicOrigin: string): void {
  app.openapi(listRoute, async (c) => {
    const items = await withTenant(c.var, listInvitations);
    return c.json({ items: items.map(toJson) }, 200);
  });
  app.openapi(createRoute, async (c) => {
    const input = c.req.valid("json");
    const created = await withTenant(c.var, (ctx) => createInvitation(ctx, input, publicOrigin));
    return c.json({ ...toJson(created), acceptUrl: created.acceptUrl }, 201);
  });
  app.openapi(revokeRoute, async (c) => {
    const { id } = c.req.valid("param");
    await withTenant(c.var, (ctx) => revokeInvitation(ctx, id));
    return c.body(null, 204);
  });
  app.openapi(acceptRoute, async (c) => {
    const { token } = c.req.valid("json");
    const { auth, db } = c.var;
    if (!auth.userId) throw new AppError("forbidden", "sign in to accept an invitation");
    const userId = auth.userId;
    // The token names the organization: look it up first, then act inside that tenant.
    const invitation = await findInvitationForUser(db, token, userId);
    const result = await withTenantTransaction(db, invitation.orgId, (tx) =>
      acceptInvitation({ db: tx, orgId: invitation.orgId, actor: auth.actor }, invitation, userId),
    );
    if (!result.accepted) throw new AppError("not_found", result.reason);
    return c.json({ organization: { id: result.orgId, slug: result.slug }, role: result.role }, 200);
  });
}
