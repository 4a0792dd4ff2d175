import { spawn } from "node:child_process";
import { inheritedEnvironment } from "../core/inherited-environment.ts";

/** Git failed, or the repository cannot be read as asked; the message is one line a person can act on. */
export class GitError extends Error {
  override name = "GitError";
}

/** The `git` executable is missing from PATH. */
export class GitNotFoundError extends Error {
  override name = "GitNotFoundError";
}

/**
 * Options that keep a user's git configuration from changing the bytes we parse: no colour, no
 * signatures, no external diff drivers or text conversion, UTF-8 output.
 */
export const NEUTRAL_CONFIG = [
  "-c",
  "color.ui=never",
  "-c",
  "log.showSignature=false",
  "-c",
  "core.quotePath=true",
];

/** Environment for git children: never prompt, never page, fixed locale for parseable messages. */
export function gitEnv(): NodeJS.ProcessEnv {
  return {
    ...inheritedEnvironment(),
    GIT_TERMINAL_PROMPT: "0",
    GIT_PAGER: "cat",
    PAGER: "cat",
    LC_ALL: "C",
    LANG: "C",
  };
}

export interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs a short git command to completion. Never throws on a non-zero exit; does throw when git is
 * missing. `options.env` is added to gitEnv() (secrets for one child go here, never into argv);
 * `options.input` is written to git's stdin.
 */
export function runGit(
  cwd: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: string | Buffer } = {},
): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", [...NEUTRAL_CONFIG, ...args], {
      cwd,
      env: { ...gitEnv(), ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    // git may exit before reading everything (a bad command); its exit code says why.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.once("error", (error: NodeJS.ErrnoException) => reject(spawnError(error)));
    child.once("close", (code) =>
      resolve({ code: code ?? 1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString("utf8") }),
    );
  });
}

export function spawnError(error: NodeJS.ErrnoException): Error {
  if (error.code === "ENOENT") return new GitNotFoundError("git is not installed or not on PATH");
  return new GitError(`cannot run git: ${error.message}`);
}

/** The most useful line of git's stderr (`fatal: …`), for one-line error messages. */
export function gitMessage(stderr: string): string {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const fatal = lines.find((l) => l.startsWith("fatal:") || l.startsWith("error:"));
  return (fatal ?? lines[lines.length - 1] ?? "git failed").replace(/^(fatal|error):\s*/, "");
}
