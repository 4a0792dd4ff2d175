import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import {
  AUTH_BASE_PATH,
  AUTH_CLIENT_ADDRESS_HEADER,
  type Auth,
  createAuth,
  publicOrigin,
} from "../../../auth/better-auth.ts";
import { type RateLimiter, rateLimiterFor } from "../../../auth/rate-limit.ts";
import { githubWebUrl } from "../../../github-app/app-client.ts";
import type { AppBindings, AppDeps } from "../../context.ts";
import { authenticate, type V1Bindings } from "../../middleware/auth.ts";
import { bodyLimit, declaredBodyLimit, KiB, MiB } from "../../middleware/body-limit.ts";
import { csrfProtection } from "../../middleware/csrf.ts";
import { rateLimit } from "../../middleware/rate-limit.ts";
import { signInRateLimit } from "../../middleware/sign-in-limit.ts";
import { registerApiKeyRoutes } from "./api-keys.ts";
import { registerAttributionRoutes } from "./attributions.ts";
import { registerAuditLogRoutes } from "./audit-log.ts";
import { registerCommitRoutes } from "./commits.ts";
import { API_DOCS_HTML } from "./docs-page.ts";
import { registerEventRoutes } from "./events.ts";
import { registerIncidentRoutes } from "./incidents.ts";
import { type InstallLinkConfig, registerInstallationRoutes } from "./installations.ts";
import { registerIntegrationRoutes } from "./integrations.ts";
import { registerInvitationRoutes } from "./invitations.ts";
import { registerMeRoutes } from "./me.ts";
import { registerMemberRoutes } from "./members.ts";
import { registerMetricsRoutes } from "./metrics.ts";
import { registerModelRoutes } from "./model.ts";
import { registerOrganizationRoutes } from "./organization.ts";
import { registerRepositoryRoutes } from "./repositories.ts";

export const OPENAPI_PATH = "/api/v1/openapi.json";
export const DOCS_PATH = "/api/v1/docs";
/** Sign-in, sign-up and the like: a few fields. */
export const AUTH_MAX_BODY_BYTES = 64 * KiB;
/** Every v1 route takes small JSON; a route that needs more would get its own cap. */
export const API_MAX_BODY_BYTES = 1 * MiB;

export interface V1Options {
  rateLimiter?: RateLimiter;
}

export interface V1Api {
  auth: Auth;
}

/**
 * Mounts Better Auth at /api/auth/* (behind a body cap and the sign-in rate limits) and the REST API
 * at /api/v1 on the app. The order below is the request pipeline: the public document and reference
 * page, then the declared body size, authentication, the body read under its cap, CSRF for cookie
 * writes, rate limits, and the routes (each checking its own permission).
 */
export function registerV1(app: OpenAPIHono<AppBindings>, deps: AppDeps, options: V1Options = {}): V1Api {
  const db = deps.handle.db;
  const auth = createAuth(db, deps.env);
  const origin = publicOrigin(deps.env);
  const limiter = options.rateLimiter ?? rateLimiterFor(deps.handle);

  app.use(`${AUTH_BASE_PATH}/*`, bodyLimit(AUTH_MAX_BODY_BYTES));
  app.use(`${AUTH_BASE_PATH}/*`, signInRateLimit(limiter));
  app.on(["GET", "POST"], `${AUTH_BASE_PATH}/*`, async (c) => auth.handler(await forBetterAuth(c)));

  const v1 = new OpenAPIHono<V1Bindings>();
  registerSecuritySchemes(v1);

  // Public, and registered before the authentication middleware so it never runs for them.
  let document: unknown;
  v1.get(OPENAPI_PATH, (c) => {
    document ??= v1.getOpenAPI31Document(documentConfig(origin));
    return c.json(document);
  });
  v1.get(DOCS_PATH, (c) => c.html(API_DOCS_HTML));

  // Too big is refused before the caller is looked up; a body is read only for a known caller.
  v1.use("/api/v1/*", declaredBodyLimit(API_MAX_BODY_BYTES));
  v1.use("/api/v1/*", authenticate({ db, queue: deps.queue, auth }));
  v1.use("/api/v1/*", bodyLimit(API_MAX_BODY_BYTES));
  v1.use("/api/v1/*", csrfProtection(origin));
  v1.use("/api/v1/*", rateLimit(limiter));

  registerV1Routes(v1, origin, {
    appSlug: deps.env.GITHUB_APP_SLUG,
    webUrl: githubWebUrl(deps.env.GITHUB_API_URL),
  });

  app.route("/", v1);
  return { auth };
}

/**
 * The request as Better Auth should see it: the body already read under its cap, and our client
 * address in the one header Better Auth is told to read it from (a client's own value replaced).
 */
async function forBetterAuth(c: Context<AppBindings>): Promise<Request> {
  const headers = new Headers(c.req.raw.headers);
  headers.set(AUTH_CLIENT_ADDRESS_HEADER, c.var.clientAddress);
  return new Request(c.req.url, {
    method: c.req.method,
    headers,
    body: c.req.raw.body ? await c.req.arrayBuffer() : null,
    signal: c.req.raw.signal,
  });
}

/** Every v1 route, in one list: used by the server and by `v1OpenApiDocument`. */
function registerV1Routes(v1: OpenAPIHono<V1Bindings>, origin: string, github?: InstallLinkConfig): void {
  registerMeRoutes(v1);
  registerOrganizationRoutes(v1, origin);
  registerMemberRoutes(v1);
  registerInvitationRoutes(v1, origin);
  registerInstallationRoutes(v1, github);
  registerRepositoryRoutes(v1);
  registerEventRoutes(v1);
  registerAttributionRoutes(v1);
  registerCommitRoutes(v1);
  registerApiKeyRoutes(v1);
  registerAuditLogRoutes(v1);
  registerIncidentRoutes(v1);
  registerMetricsRoutes(v1);
  registerModelRoutes(v1);
  registerIntegrationRoutes(v1, origin);
}

function registerSecuritySchemes(v1: OpenAPIHono<V1Bindings>): void {
  v1.openAPIRegistry.registerComponent("securitySchemes", "apiKey", {
    type: "http",
    scheme: "bearer",
    description: "An API key: `Authorization: Bearer snt_live_…`",
  });
  v1.openAPIRegistry.registerComponent("securitySchemes", "session", {
    type: "apiKey",
    in: "cookie",
    name: "better-auth.session_token",
    description: "A Better Auth session (the dashboard). Sessions name the organization with X-Sentinel-Org.",
  });
}

function documentConfig(origin: string) {
  return {
    openapi: "3.1.0",
    info: {
      title: "Sentinel API",
      version: "1.0.0",
      description: "How much of your code AI writes, where it lands, and whether it breaks production.",
    },
    servers: [{ url: origin }],
  };
}

/** The OpenAPI document without a server or database (tests, tooling). Same routes as served. */
export function v1OpenApiDocument(origin: string): ReturnType<OpenAPIHono["getOpenAPI31Document"]> {
  const v1 = new OpenAPIHono<V1Bindings>();
  registerSecuritySchemes(v1);
  registerV1Routes(v1, origin);
  return v1.getOpenAPI31Document(documentConfig(origin));
}
