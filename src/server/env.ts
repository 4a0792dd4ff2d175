import { isIP } from "node:net";
import { z } from "zod";

// The only module that reads process.env. Empty strings count as unset, so `FOO= npm start`
// behaves like leaving FOO out.
const optionalString = z.string().min(1).optional();

/**
 * Who may tell us the client's address in X-Forwarded-For. `none`: nobody, the socket's peer is the
 * client. `hops`: that many proxies stand in front of every request. `ranges`: proxies are the
 * peers (and forwarded hops) inside these addresses or CIDR ranges.
 */
export type TrustedProxies =
  | { kind: "none" }
  | { kind: "hops"; hops: number }
  | { kind: "ranges"; ranges: Array<{ address: string; prefix: number; family: "ipv4" | "ipv6" }> };

const trustedProxies = z
  .string()
  .optional()
  .transform((value, ctx): TrustedProxies => {
    if (value === undefined) return { kind: "none" };
    if (/^\d+$/.test(value.trim())) {
      const hops = Number(value.trim());
      if (hops > 16) ctx.addIssue({ code: "custom", message: "a hop count is at most 16" });
      return hops === 0 ? { kind: "none" } : { kind: "hops", hops };
    }
    const ranges = [];
    for (const entry of value
      .split(",")
      .map((e) => e.trim())
      .filter(Boolean)) {
      const [, address = "", prefixText] = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(entry) ?? [];
      const version = isIP(address);
      const bits = version === 4 ? 32 : 128;
      const prefix = prefixText === undefined ? bits : Number(prefixText);
      if (!version || prefix > bits) {
        ctx.addIssue({
          code: "custom",
          message: `"${entry}" is not a hop count, an address or a CIDR range`,
        });
        return z.NEVER;
      }
      ranges.push({ address, prefix, family: version === 4 ? ("ipv4" as const) : ("ipv6" as const) });
    }
    return { kind: "ranges", ranges };
  });

/** A byte count: `1073741824`, or with a binary suffix (`512MiB`, `20GiB`, `1TiB`; `K`/`M`/`G`/`T` alike). */
const byteSize = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx): number => {
      if (value === undefined) return fallback;
      const match = /^\s*(\d+(?:\.\d+)?)\s*(?:([KMGT])(?:i?B)?|B)?\s*$/i.exec(value);
      if (!match) {
        ctx.addIssue({ code: "custom", message: `"${value}" is not a byte size such as 20GiB` });
        return z.NEVER;
      }
      const power = " KMGT".indexOf((match[2] ?? " ").toUpperCase());
      return Math.floor(Number(match[1]) * 1024 ** power);
    });

const GIB = 1024 ** 3;

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** PostgreSQL server; when unset, Sentinel runs on embedded PGlite under SENTINEL_DATA_DIR. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  /**
   * `transaction` when DATABASE_URL points at a transaction-mode pooler (PgBouncer's
   * pool_mode=transaction): nothing then relies on a session, so the job queue polls instead of
   * LISTENing. `session` (default): a direct connection or a session-mode pooler.
   */
  DATABASE_POOL_MODE: z.enum(["session", "transaction"]).default("session"),
  /** Connections this process's pool opens to DATABASE_URL (the job queue adds 4 of its own). */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(20),
  SENTINEL_DATA_DIR: z.string().min(1).default(".sentinel"),
  /** Bare git mirrors, one per repository; default `<SENTINEL_DATA_DIR>/mirrors`. */
  SENTINEL_MIRROR_DIR: optionalString,
  /** Total disk for mirrors; least recently used mirrors are deleted above it. */
  SENTINEL_MIRROR_MAX_BYTES: byteSize(20 * GIB),
  /** A repository larger than this (GitHub's `size`) is not mirrored and is attributed through REST. */
  SENTINEL_MIRROR_MAX_REPO_BYTES: byteSize(5 * GIB),
  /**
   * Months of code_events kept: older months are dropped whole, a partition at a time. Unset: kept
   * forever (the spec's default; docs/decisions/0006-code-events-partitioned-by-month.md).
   */
  SENTINEL_CODE_EVENTS_RETENTION_MONTHS: z.coerce.number().int().min(1).max(1200).optional(),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  /**
   * Seed the embedded database with demo data when it is empty. Default: on, except in production,
   * where the demo account's published password must never exist (setting it true there is refused).
   */
  SENTINEL_SEED_ON_START: z
    .enum(["true", "false"])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === "true")),
  /** Run the job workers inside the HTTP process (`npm run worker` runs them alone). */
  SENTINEL_WORKERS: z
    .enum(["true", "false"])
    .default("true")
    .transform((v) => v === "true"),
  /** Public URL of this server, used in links and OAuth callbacks. */
  SENTINEL_PUBLIC_URL: z.url().optional(),
  /** Reverse proxies whose X-Forwarded-For is believed: a hop count (`1`) or comma-separated CIDR ranges. */
  SENTINEL_TRUSTED_PROXIES: trustedProxies,
  BETTER_AUTH_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  GITHUB_WEBHOOK_SECRET: optionalString,
  GITHUB_APP_ID: optionalString,
  GITHUB_APP_PRIVATE_KEY: optionalString,
  GITHUB_APP_SLUG: optionalString,
  GITHUB_API_URL: z.url().default("https://api.github.com"),
  GITHUB_CLIENT_ID: optionalString,
  GITHUB_CLIENT_SECRET: optionalString,
  /**
   * Bearer token for `GET /metrics` (Prometheus). Unset: the endpoint answers 404 on the main port,
   * so metrics are never open by accident.
   */
  SENTINEL_METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  /** A second listener serving only `GET /metrics`, e.g. for `npm run worker`, which has no HTTP port. */
  SENTINEL_METRICS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  /** Address of that listener; anything but loopback needs SENTINEL_METRICS_TOKEN. */
  SENTINEL_METRICS_HOST: z.string().min(1).default("127.0.0.1"),
});

export type Env = Omit<z.infer<typeof envSchema>, "SENTINEL_SEED_ON_START"> & {
  SENTINEL_SEED_ON_START: boolean;
};

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses the environment; throws ConfigError naming the first bad variable. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    const issue = result.error.issues[0];
    const name = issue?.path.join(".") ?? "environment";
    throw new ConfigError(`invalid environment variable ${name}: ${issue?.message ?? "invalid"}`);
  }
  const { SENTINEL_SEED_ON_START: seed, ...rest } = result.data;
  const production = rest.NODE_ENV === "production";
  if (production && seed === true) {
    throw new ConfigError(
      "invalid environment variable SENTINEL_SEED_ON_START: demo data has a published password and is never seeded in production",
    );
  }
  const metricsOffLoopback =
    rest.SENTINEL_METRICS_PORT !== undefined && !isLoopback(rest.SENTINEL_METRICS_HOST);
  if (metricsOffLoopback && !rest.SENTINEL_METRICS_TOKEN) {
    throw new ConfigError(
      "invalid environment variable SENTINEL_METRICS_HOST: a metrics listener off loopback needs SENTINEL_METRICS_TOKEN",
    );
  }
  return { ...rest, SENTINEL_SEED_ON_START: seed ?? !production };
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

let cached: Env | undefined;

export function env(): Env {
  cached ??= loadEnv();
  return cached;
}

/** Test databases: the local server's `test` database unless TEST_DATABASE_URL says otherwise. */
export function testDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/test";
}
