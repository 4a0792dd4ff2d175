import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { GITHUB_ACCOUNT_TYPES } from "../../../../core/enums.ts";
import { AppError } from "../../../../core/errors.ts";
import { issueSetupState } from "../../../services/github/setup-states.ts";
import { listInstallations } from "../../../services/installations/list-installations.ts";
import type { V1Bindings } from "../../middleware/auth.ts";
import { withTenant } from "../../middleware/tenant.ts";
import { errorResponses, errorSchema, iso, isoTime, jsonResponse, v1Route } from "./define.ts";

export const installationSchema = z
  .object({
    installationId: z.number().int(),
    accountLogin: z.string(),
    accountType: z.enum(GITHUB_ACCOUNT_TYPES),
    suspendedAt: isoTime.nullable(),
    repositoryCount: z.number().int(),
  })
  .openapi("Installation");

const listRoute = v1Route("installations:read", {
  method: "get",
  path: "/api/v1/installations",
  tags: ["github"],
  summary: "GitHub App installations linked to the organization",
  responses: {
    200: jsonResponse(z.object({ items: z.array(installationSchema) }), "Installations"),
    ...errorResponses(),
  },
});

const installLinkRoute = v1Route("installations:manage", {
  method: "post",
  path: "/api/v1/installations/install-link",
  tags: ["github"],
  summary: "A link to install the GitHub App for this organization (valid one hour)",
  description:
    "The App's installation page with a single-use `state` naming this organization and the signed-in admin. " +
    "After the install, GitHub sends the browser to `/api/github/setup`, which links the new installation here " +
    "when the same admin is signed in (and, with GitHub sign-in configured, can see the installation on GitHub). " +
    "Sessions only: an API key gets 403. 503 when the server has no GitHub App configured (GITHUB_APP_SLUG).",
  responses: {
    200: jsonResponse(z.object({ url: z.url(), expiresAt: isoTime }).openapi("InstallLink"), "Install link"),
    ...errorResponses(),
    503: {
      description: "No GitHub App configured on this server",
      content: { "application/json": { schema: errorSchema } },
    },
  },
});

/** What issuing install links needs: the App's public slug and the GitHub (or GHES) it lives on. */
export interface InstallLinkConfig {
  appSlug: string | undefined;
  webUrl: string;
}

/** The GitHub App's installation page; GitHub hands `state` back to /api/github/setup. */
function installPage(webUrl: string, appSlug: string, state: string): string {
  const url = new URL(`${webUrl}/apps/${encodeURIComponent(appSlug)}/installations/new`);
  url.searchParams.set("state", state);
  return url.toString();
}

export function registerInstallationRoutes(app: OpenAPIHono<V1Bindings>, github?: InstallLinkConfig): void {
  app.openapi(installLinkRoute, async (c) => {
    const appSlug = github?.appSlug;
    if (!appSlug) {
      throw new AppError("unavailable", "no GitHub App is configured on this server (set GITHUB_APP_SLUG)");
    }
    const { org, userId } = c.var.auth;
    if (!org) throw new AppError("not_found", "organization not found");
    // The setup page links only for the person the state was issued to, signed in there.
    if (!userId)
      throw new AppError("forbidden", "install links are issued to signed-in people, not API keys");
    // Before the tenant transaction: the state lives in Better Auth's table, outside row-level security.
    const { state, expiresAt } = await issueSetupState(c.var.db, { orgId: org.id, userId });
    c.header("cache-control", "no-store");
    return c.json(
      { url: installPage(github.webUrl, appSlug, state), expiresAt: expiresAt.toISOString() },
      200,
    );
  });

  app.openapi(listRoute, async (c) => {
    const items = await withTenant(c.var, listInstallations);
    return c.json({ items: items.map((i) => ({ ...i, suspendedAt: iso(i.suspendedAt) })) }, 200);
  });
}
