import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

// A real PgBouncer in transaction mode in front of the test PostgreSQL server: Debian's
// `pgbouncer` binary (CI installs it), its configuration in a temporary directory, listening on a
// free port of 127.0.0.1. Tests that need it skip, saying why, where the binary is missing.

const CANDIDATES = ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer", "/usr/local/bin/pgbouncer"];

/** The pgbouncer binary, or null where none is installed. */
export function pgbouncerBinary(): string | null {
  return CANDIDATES.find((path) => existsSync(path)) ?? null;
}

export const PGBOUNCER_MISSING = "pgbouncer is not installed (apt-get install pgbouncer): skipped";

export interface PgBouncer {
  /** The URL of `database` through the pooler (same user as the upstream server URL). */
  url(database: string): string;
  /** Server connections PgBouncer opens per database and user. */
  poolSize: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === "string") throw new Error("no free port");
  return address.port;
}

/**
 * Starts PgBouncer (pool_mode=transaction, auth_type=trust) forwarding every database to the
 * server of `upstream`, e.g. `postgresql://postgres@127.0.0.1:5432/test`.
 */
export async function startPgBouncer(
  upstream: string,
  options: { poolSize?: number } = {},
): Promise<PgBouncer> {
  const binary = pgbouncerBinary();
  if (!binary) throw new Error(PGBOUNCER_MISSING);
  const server = new URL(upstream);
  const user = decodeURIComponent(server.username || "postgres");
  const password = decodeURIComponent(server.password);
  const poolSize = options.poolSize ?? 20;
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "sentinel-pgbouncer-"));
  // PgBouncer refuses to run as root; as root it is started as `nobody`, who must read the files.
  chmodSync(dir, 0o755);
  const target = [`host=${server.hostname}`, `port=${server.port || "5432"}`, `user=${user}`];
  if (password) target.push(`password=${password}`);
  writeFileSync(
    join(dir, "pgbouncer.ini"),
    [
      "[databases]",
      `* = ${target.join(" ")}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      "unix_socket_dir =",
      "auth_type = trust",
      `auth_file = ${join(dir, "userlist.txt")}`,
      "pool_mode = transaction",
      "max_client_conn = 1000",
      `default_pool_size = ${poolSize}`,
      "reserve_pool_size = 0",
      // Every client's startup parameters that PgBouncer does not track itself.
      "ignore_startup_parameters = extra_float_digits,options",
      "log_connections = 0",
      "log_disconnections = 0",
      "",
    ].join("\n"),
    { mode: 0o644 },
  );
  writeFileSync(join(dir, "userlist.txt"), `"${user}" ""\n`, { mode: 0o644 });
  const asRoot = process.getuid?.() === 0;
  const child: ChildProcess = spawn(
    binary,
    [...(asRoot ? ["-u", "nobody"] : []), join(dir, "pgbouncer.ini")],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const url = (database: string) => {
    const through = new URL(upstream);
    through.hostname = "127.0.0.1";
    through.port = String(port);
    through.password = "";
    through.pathname = `/${database}`;
    return through.toString();
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`pgbouncer exited (${child.exitCode}): ${stderr.trim()}`);
    }
    const client = new pg.Client({ connectionString: url(server.pathname.slice(1) || "postgres") });
    client.on("error", () => {});
    try {
      await client.connect();
      await client.query("SELECT 1");
      await client.end();
      return { url, poolSize, stop };
    } catch (error) {
      await client.end().catch(() => {});
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`pgbouncer did not answer on port ${port}: ${String(error)}; ${stderr.trim()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
