import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { AppError } from "../../../core/errors.ts";
import { resolveAuthSecret } from "../../auth/better-auth.ts";
import { githubAppFromEnv } from "../../github/app-client.ts";
import { linkInstallationToOrg } from "../../github/link-installation.ts";
import { verifySetupState } from "../../github/setup-state.ts";
import type { AppBindings, AppDeps } from "../context.ts";

const route = createRoute({
  method: "get",
  path: "/api/github/setup",
  tags: ["github"],
  summary:
    "GitHub App setup URL: links the new installation to the organization the install was started from",
  request: {
    query: z.object({
      installation_id: z.coerce.number().int().positive(),
      state: z.string().min(1).max(500),
      setup_action: z.string().max(50).optional(),
    }),
  },
  responses: {
    302: { description: "Linked; redirects to the dashboard" },
    400: { description: "Missing or invalid query" },
    401: { description: "State forged, altered or expired" },
    409: { description: "Installation linked to another organization or uninstalled" },
  },
});

export function registerGithubSetup(app: OpenAPIHono<AppBindings>, deps: AppDeps): void {
  const github = githubAppFromEnv(deps.env);
  // The secret the install link's state was signed with (generated and kept locally when unset).
  const secret = resolveAuthSecret(deps.env);
  app.openapi(route, async (c) => {
    const { installation_id: installationId, state } = c.req.valid("query");
    const orgId = verifySetupState(secret, state);
    if (!orgId)
      throw new AppError(
        "unauthorized",
        "the setup link has expired or was not issued here; start the install again",
      );
    if (!deps.queue) throw new AppError("unavailable", "the job queue is not running");
    await linkInstallationToOrg(deps.handle.db, deps.queue, github, {
      orgId,
      installationId,
      actor: { kind: "webhook", source: "github-setup" },
    });
    return c.redirect(`/settings?github_installation=${installationId}`, 302);
  });
}
