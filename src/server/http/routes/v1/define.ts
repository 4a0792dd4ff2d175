import { createRoute, type RouteConfig, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { AppError, ERROR_CODES } from "../../../../core/errors.ts";
import { assertPermission, type Permission } from "../../../../core/permissions.ts";
import type { V1Bindings } from "../../middleware/auth.ts";

// Conventions for /api/v1 (docs/api.md, "Adding a route"):
// - one file per resource in this folder, exporting `register<Resource>Routes(app)`;
// - each route declared once with `v1Route(access, config)`: full path, zod request and response
//   schemas, and the permission it needs. The permission is checked by the route's middleware and
//   published in the OpenAPI document as `x-sentinel-access`, which the shared security suite
//   (test/api/security.db.test.ts) reads to test every route;
// - handlers validate nothing by hand: they call one service through `withTenant(c.var, …)` and
//   return `c.json(result, 200)`; failures are thrown as AppError and mapped in one place.

export const ACCESS_EXTENSION = "x-sentinel-access";

/** A permission from core/permissions.ts, or "session": any signed-in person, no organization needed. */
export type Access = Permission | "session";

function requireAccess(access: Access): MiddlewareHandler<V1Bindings> {
  return async (c, next) => {
    const { auth } = c.var;
    if (access === "session") {
      if (auth.via !== "session")
        throw new AppError("forbidden", "this route is for signed-in people, not API keys");
    } else {
      // A person with no organization has nothing to act on: the same answer as a wrong slug.
      if (!auth.org) throw new AppError("not_found", "organization not found");
      assertPermission(auth.permissions, access);
    }
    await next();
  };
}

/** Declares a v1 route: its OpenAPI operation, security and the access check, in one place. */
export function v1Route<R extends Omit<RouteConfig, "middleware" | "security">>(
  access: Access,
  config: R,
): R & { middleware: MiddlewareHandler<V1Bindings>; getRoutingPath(): string } {
  const route = createRoute({
    ...(config as RouteConfig),
    security: access === "session" ? [{ session: [] }] : [{ apiKey: [] }, { session: [] }],
    [ACCESS_EXTENSION]: access,
    middleware: requireAccess(access),
  });
  return route as unknown as R & { middleware: MiddlewareHandler<V1Bindings>; getRoutingPath(): string };
}

export const errorSchema = z
  .object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    requestId: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi("Error");

const ERROR_DESCRIPTIONS = {
  400: "Malformed input; `details.field` names the field",
  401: "No valid session or API key",
  402: "A plan limit; `details.limit` names it",
  403: "Missing permission (role or key scope), or a cross-site write",
  404: "Not found in this organization",
  409: "Conflicts with the current state",
  429: "Rate limited; see the Retry-After header",
} as const;

/** The error responses every v1 route can give, plus any extra ones it names. */
export function errorResponses(...extra: Array<402 | 409>) {
  const codes = [400, 401, 403, 404, 429, ...extra] as const;
  return Object.fromEntries(
    codes.map((code) => [
      code,
      { description: ERROR_DESCRIPTIONS[code], content: { "application/json": { schema: errorSchema } } },
    ]),
  ) as Record<
    400 | 401 | 403 | 404 | 429,
    { description: string; content: { "application/json": { schema: typeof errorSchema } } }
  >;
}

export function jsonBody<S extends z.ZodType>(schema: S, description = "Request body") {
  return { required: true, description, content: { "application/json": { schema } } };
}

export function jsonResponse<S extends z.ZodType>(schema: S, description: string) {
  return { description, content: { "application/json": { schema } } };
}

export const uuidParam = (name: string) =>
  z.uuid().openapi({ param: { name, in: "path" }, example: "3f1c2a9e-6a5b-4c1d-9e8f-0a1b2c3d4e5f" });

export const idParams = z.object({ id: uuidParam("id") });

/** Cursor pagination: `?limit=` (default 50, max 200) and an opaque `?cursor=`. */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ example: 50 }),
  cursor: z
    .string()
    .min(1)
    .max(500)
    .optional()
    .openapi({ description: "Opaque; from the previous page's nextCursor" }),
};

export const isoTime = z.iso.datetime({ offset: true });

export function page<S extends z.ZodType>(item: S) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** Dates leave services as Date objects and the API as ISO 8601 UTC strings. */
export function iso(value: Date): string;
export function iso(value: Date | null): string | null;
export function iso(value: Date | null): string | null {
  return value ? value.toISOString() : null;
}
