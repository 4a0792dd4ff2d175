import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { Octokit } from "octokit";
import { AppError } from "../../../core/errors.ts";
import { permissionsForRole } from "../../../core/permissions.ts";
import type { Auth } from "../../auth/better-auth.ts";
import type { Database } from "../../db/client.ts";
import type { Env } from "../../env.ts";
import { linkInstallationToOrg } from "../../github/link-installation.ts";
import { listMemberships } from "../../services/access/find-membership.ts";
import { findInstallation } from "../../services/github/installations.ts";
import { consumeSetupState, findGithubUserToken } from "../../services/github/setup-states.ts";
import type { AppBindings, AppDeps } from "../context.ts";

const route = createRoute({
  method: "get",
  path: "/api/github/setup",
  tags: ["github"],
  summary:
    "GitHub App setup URL: links the new installation to the organization the install was started from",
  description:
    "Needs the session of the admin the install link was issued to; the state is single-use. With GitHub " +
    "sign-in configured, the installation must also be one that admin can see on GitHub " +
    "(`GET /user/installations`). An installation nobody can prove stays unlinked until an operator links " +
    "it with `sentinel installations link`.",
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
    401: { description: "Not signed in, or the state is unknown, used or expired" },
    403: { description: "Signed in as someone else, no longer an admin, or the installation is not theirs" },
    409: { description: "Installation linked to another organization or uninstalled" },
  },
});

export function registerGithubSetup(app: OpenAPIHono<AppBindings>, deps: AppDeps, auth: Auth): void {
  const { github } = deps;
  const db = deps.handle.db;
  app.openapi(route, async (c) => {
    const { installation_id: installationId, state } = c.req.valid("query");
    const session = await auth.api.getSession({ headers: c.req.raw.headers });
    if (!session) {
      throw new AppError("unauthorized", "sign in to Sentinel in this browser, then start the install again");
    }
    const userId = session.user.id;
    const bound = await consumeSetupState(db, state);
    if (!bound) {
      throw new AppError(
        "unauthorized",
        "the setup link has expired, was used already or was not issued here; start the install again",
      );
    }
    if (bound.userId !== userId) {
      throw new AppError("forbidden", "this install was started by someone else; start it again yourself");
    }
    const membership = (await listMemberships(db, userId)).find((m) => m.org.id === bound.orgId);
    if (!membership || !permissionsForRole(membership.role).has("installations:manage")) {
      throw new AppError("forbidden", "only an organization's admins and owners connect GitHub", {
        permission: "installations:manage",
      });
    }
    await assertMayClaim(db, deps.env, { userId, installationId, stateIssuedAt: bound.issuedAt });
    if (deps.queue.kind !== "pg-boss") throw new AppError("unavailable", "the job queue is not running");
    await linkInstallationToOrg(db, deps.queue, github, {
      orgId: bound.orgId,
      installationId,
      actor: { kind: "user", userId, role: membership.role },
    });
    return c.redirect(`/settings?github_installation=${installationId}`, 302);
  });
}

/**
 * The setup URL's installation_id is only a number anyone can type. With GitHub sign-in configured,
 * the installation must be one the person can see on GitHub. Without it there is no such proof, so
 * only an installation that appeared after the state was issued can be claimed: one that sat
 * unlinked before (installed from GitHub's own page) waits for an operator's
 * `sentinel installations link`. docs/security.md says what that still leaves open.
 */
async function assertMayClaim(
  db: Database,
  env: Env,
  claim: { userId: string; installationId: number; stateIssuedAt: Date },
): Promise<void> {
  const refuse = (why: string) =>
    new AppError(
      "forbidden",
      `${why}; an operator can link installation ${claim.installationId} with 'sentinel installations link'`,
    );
  if (!env.GITHUB_CLIENT_ID || !env.GITHUB_CLIENT_SECRET) {
    const known = await findInstallation(db, claim.installationId);
    if (known && known.createdAt < claim.stateIssuedAt) {
      throw refuse("this installation existed before you started the install, so it cannot be claimed here");
    }
    return;
  }
  const token = await findGithubUserToken(db, claim.userId);
  if (!token) throw refuse("sign in with GitHub so Sentinel can check this installation is yours");
  const octokit = new Octokit({ auth: token, baseUrl: env.GITHUB_API_URL });
  let seen = false;
  try {
    for await (const page of octokit.paginate.iterator("GET /user/installations", { per_page: 100 })) {
      if (page.data.some((installation) => installation.id === claim.installationId)) {
        seen = true;
        break;
      }
    }
  } catch {
    throw refuse("GitHub did not confirm that you can see this installation");
  }
  if (!seen) throw refuse("this installation is not one your GitHub account can see");
}
