import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

// Real git repositories for the CLI tests, built with git itself. Every identity and date is fixed
// through git's environment variables, and user/system config is ignored, so hashes are stable.

export interface Person {
  name: string;
  email: string;
}

export const HUMAN: Person = { name: "Dana Developer", email: "dana@example.com" };

const baseEnv = (home: string): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: home,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: join(home, "gitconfig"),
  LC_ALL: "C",
  TZ: "UTC",
  // Commands that write objects without an explicit date (notes) stay deterministic too.
  GIT_AUTHOR_DATE: "2024-06-01T00:00:00Z",
  GIT_COMMITTER_DATE: "2024-06-01T00:00:00Z",
});

export class GitFixture {
  readonly dir: string;
  readonly home: string;

  constructor(dir: string, home: string) {
    this.dir = dir;
    this.home = home;
  }

  static create(prefix = "sentinel-cli-"): GitFixture {
    const root = mkdtempSync(join(tmpdir(), prefix));
    const home = join(root, "home");
    const dir = join(root, "repo");
    mkdirSync(home);
    mkdirSync(dir);
    writeFileSync(
      join(home, "gitconfig"),
      "[init]\n\tdefaultBranch = main\n[core]\n\tautocrlf = false\n[user]\n\tname = Dana Developer\n\temail = dana@example.com\n",
    );
    const fixture = new GitFixture(dir, home);
    fixture.git(["init", "-q", "-b", "main"]);
    return fixture;
  }

  /** A directory beside the repository, for clones and non-repositories. */
  sibling(name: string): string {
    const path = join(dirname(this.dir), name);
    mkdirSync(path, { recursive: true });
    return path;
  }

  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return { ...baseEnv(this.home), ...extra };
  }

  git(
    args: string[],
    options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: Buffer | string } = {},
  ): string {
    return execFileSync("git", args, {
      cwd: options.cwd ?? this.dir,
      env: this.env(options.env),
      input: options.input,
      stdio: ["pipe", "pipe", "pipe"],
    }).toString("utf8");
  }

  write(path: string, content: string | Buffer): void {
    const full = join(this.dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }

  /** A file whose name is raw bytes (not UTF-8), in the repository's root. */
  writeRawName(name: Buffer, content: string): void {
    writeFileSync(Buffer.concat([Buffer.from(`${this.dir}/`), name]), content);
  }

  /** Stages everything and commits with fixed identities and date; returns the new sha. */
  commit(
    message: string | Buffer,
    options: { author?: Person; committer?: Person; date: string; allowEmpty?: boolean },
  ): string {
    const author = options.author ?? HUMAN;
    const committer = options.committer ?? author;
    const env = {
      GIT_AUTHOR_NAME: author.name,
      GIT_AUTHOR_EMAIL: author.email,
      GIT_AUTHOR_DATE: options.date,
      GIT_COMMITTER_NAME: committer.name,
      GIT_COMMITTER_EMAIL: committer.email,
      GIT_COMMITTER_DATE: options.date,
    };
    this.git(["add", "-A"]);
    this.git(["commit", "-q", "--no-verify", "-F", "-", ...(options.allowEmpty ? ["--allow-empty"] : [])], {
      env,
      input: message,
    });
    return this.head();
  }

  merge(branch: string, message: string, date: string, person: Person = HUMAN): string {
    this.git(["merge", "-q", "--no-ff", "-m", message, branch], {
      env: {
        GIT_AUTHOR_NAME: person.name,
        GIT_AUTHOR_EMAIL: person.email,
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_NAME: person.name,
        GIT_COMMITTER_EMAIL: person.email,
        GIT_COMMITTER_DATE: date,
      },
    });
    return this.head();
  }

  head(): string {
    return this.git(["rev-parse", "HEAD"]).trim();
  }

  remove(): void {
    rmSync(dirname(this.dir), { recursive: true, force: true });
  }
}

/** `n` numbered lines, each ending in a newline. */
export function lines(n: number, prefix = "line"): string {
  return Array.from({ length: n }, (_, i) => `${prefix} ${i + 1}\n`).join("");
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const BIN = join(import.meta.dirname, "../../../bin/sentinel.js");

/** Runs `node bin/sentinel.js …` as a user would, with its own environment. */
export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: "silent", ...options.env },
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
