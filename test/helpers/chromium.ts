import { spawn } from "node:child_process";
import { accessSync, constants, createReadStream, createWriteStream, existsSync, mkdirSync } from "node:fs";
import { readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { delimiter, dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createBrotliDecompress } from "node:zlib";

// The Chromium that browser tests drive. By SENTINEL_TEST_CHROMIUM:
// - `auto` (unset): the system's (`/usr/bin/chromium`, else `chromium` on PATH: CI installs
//   Debian's), else the headless Chromium that the @sparticuz/chromium npm package carries in its
//   tarball, unpacked once into node_modules/.cache (no download at run time).
// - `system`: the system's, or fail.
// - `npm`: the packaged one, even where the system has one.
// - a path: that executable.

export const SYSTEM_CHROMIUM = "/usr/bin/chromium";

export interface ChromiumExecutable {
  executablePath: string;
  /** The browser's whole environment; undefined: this process's. */
  env?: Record<string, string>;
  /** What it is, for a log line. */
  description: string;
}

export async function resolveChromium(
  choice = process.env.SENTINEL_TEST_CHROMIUM || "auto",
): Promise<ChromiumExecutable> {
  if (choice === "auto" || choice === "system") {
    const system = systemChromium();
    if (system) return { executablePath: system, description: `system Chromium ${system}` };
    if (choice === "system")
      throw new Error(`SENTINEL_TEST_CHROMIUM=system: no ${SYSTEM_CHROMIUM} nor chromium on PATH`);
    return packagedChromium();
  }
  if (choice === "npm") return packagedChromium();
  if (!isExecutable(choice))
    throw new Error(`SENTINEL_TEST_CHROMIUM must be auto, system, npm or an executable, not '${choice}'`);
  return { executablePath: choice, description: choice };
}

function systemChromium(): string | undefined {
  const candidates = [
    SYSTEM_CHROMIUM,
    ...(process.env.PATH ?? "").split(delimiter).map((d) => join(d, "chromium")),
  ];
  return candidates.find((path) => path.startsWith("/") && isExecutable(path));
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * @sparticuz/chromium's headless shell for Linux x64, brotli-compressed in the package with the
 * libraries it needs beyond glibc (NSS, NSPR, expat: the `al2023` set) and a font. Unpacked once per
 * package version into node_modules/.cache/sentinel-chromium/<version> (about 220 MB, 5–10 s),
 * atomically, so parallel runs and interrupted ones never see half a browser. The browser runs
 * with those libraries first on LD_LIBRARY_PATH, so it needs nothing from the system but glibc
 * (2.34 or later) and gets the system's fonts, where there are any, plus the package's.
 */
async function packagedChromium(): Promise<ChromiumExecutable> {
  if (process.platform !== "linux" || process.arch !== "x64")
    throw new Error(
      `no system Chromium, and @sparticuz/chromium only runs on Linux x64 (this is ${process.platform}-${process.arch}): ` +
        "install Chromium or Chrome and set SENTINEL_TEST_CHROMIUM to its executable",
    );
  const entry = createRequire(import.meta.url).resolve("@sparticuz/chromium");
  const packageDir = dirname(dirname(entry));
  const { version } = JSON.parse(await readFile(join(packageDir, "package.json"), "utf8")) as {
    version: string;
  };
  const cache = join(packageDir, "..", "..", ".cache", "sentinel-chromium");
  const dir = join(cache, version);
  if (!existsSync(dir)) await unpack(join(packageDir, "bin"), cache, dir);
  return {
    executablePath: join(dir, "chromium"),
    env: {
      ...definedEnv(),
      LD_LIBRARY_PATH: [join(dir, "lib"), process.env.LD_LIBRARY_PATH].filter(Boolean).join(":"),
      FONTCONFIG_FILE: join(dir, "fonts.conf"),
    },
    description: `@sparticuz/chromium ${version} (headless shell) from ${dir}`,
  };
}

async function unpack(bin: string, cache: string, dir: string): Promise<void> {
  mkdirSync(cache, { recursive: true });
  const staging = `${dir}.${process.pid}.tmp`;
  await rm(staging, { recursive: true, force: true });
  mkdirSync(join(staging, "fonts"), { recursive: true });
  await Promise.all([
    pipeline(
      createReadStream(join(bin, "chromium.br")),
      createBrotliDecompress(),
      createWriteStream(join(staging, "chromium"), { mode: 0o755 }),
    ),
    untar(join(bin, "al2023.tar.br"), staging), // lib/
    untar(join(bin, "fonts.tar.br"), join(staging, "fonts")), // fonts/Open_Sans/
  ]);
  // The system's font configuration where there is one, and the packaged font in any case.
  await writeFile(
    join(staging, "fonts.conf"),
    `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>${join(dir, "fonts", "fonts")}</dir>
  <cachedir>${join(dir, "fontconfig-cache")}</cachedir>
</fontconfig>
`,
  );
  try {
    await rename(staging, dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    if (!existsSync(dir)) throw error; // else a parallel run unpacked it first
  }
  // Earlier versions' browsers are dead weight once the package moved on.
  for (const name of await readdir(cache))
    if (join(cache, name) !== dir && !name.endsWith(".tmp"))
      await rm(join(cache, name), { recursive: true, force: true });
}

/** A brotli-compressed tar archive, extracted with the system's tar (no extra npm package). */
async function untar(archive: string, into: string): Promise<void> {
  const tar = spawn("tar", ["-x", "-C", into], { stdio: ["pipe", "ignore", "pipe"] });
  let stderr = "";
  tar.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    tar.once("error", reject);
    tar.once("close", resolve);
  });
  await pipeline(createReadStream(archive), createBrotliDecompress(), tar.stdin);
  const code = await exited;
  if (code !== 0) throw new Error(`tar -x ${archive} failed (${code}): ${stderr}`);
}

function definedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
  return env;
}
