import { gitMessage, runGit } from "../../git/run-git.ts";
import { MirrorUnavailableError } from "./errors.ts";

/** What a mirror tracks: every branch, git-ai's notes, and each pull request's head (for carry-over). */
export const MIRROR_REFSPECS = [
  "+refs/heads/*:refs/heads/*",
  // A pattern, not `refs/notes/ai` itself: an exact refspec fails the whole fetch when a repository
  // has no notes, and --prune only removes refs matched by a pattern.
  "+refs/notes/ai*:refs/notes/ai*",
  "+refs/pull/*/head:refs/pull/*/head",
];

/**
 * The clone URL we will send a token to: HTTPS, or plain HTTP to this machine (a local fake GitHub).
 * Credentials inside the URL are refused: they would land in git's argv and messages.
 */
export function checkCloneUrl(cloneUrl: string): URL {
  let url: URL;
  try {
    url = new URL(cloneUrl);
  } catch {
    throw new MirrorUnavailableError("invalid_url", "the repository's clone URL is not a URL");
  }
  if (url.username || url.password) {
    throw new MirrorUnavailableError("invalid_url", "the repository's clone URL carries credentials");
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new MirrorUnavailableError(
      "invalid_url",
      `refusing to send a token to ${url.protocol}//${url.host}: clone URLs must be HTTPS`,
    );
  }
  return url;
}

/**
 * The child environment that authenticates one fetch. The token travels only here — as an
 * `http.extraHeader` set through GIT_CONFIG_COUNT — never in argv, a config file or the URL.
 * Credential helpers and askpass programs are switched off so nothing stores or replaces it.
 */
export function authEnvironment(token: string): NodeJS.ProcessEnv {
  const basic = Buffer.from(`x-access-token:${token}`).toString("base64");
  const config: Array<[string, string]> = [
    ["http.extraHeader", `Authorization: Basic ${basic}`],
    ["credential.helper", ""],
    // A transfer slower than 1 KB/s for a minute is a dead connection: fail rather than hang a worker.
    ["http.lowSpeedLimit", "1000"],
    ["http.lowSpeedTime", "60"],
  ];
  const env: NodeJS.ProcessEnv = {
    GIT_CONFIG_COUNT: String(config.length),
    GIT_ASKPASS: "",
    SSH_ASKPASS: "",
    GIT_ALLOW_PROTOCOL: "https:http",
  };
  config.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return env;
}

/** Removes every form of the token (raw, and inside the Basic header) from text bound for a message or log. */
export function scrubToken(text: string, token: string): string {
  const basic = Buffer.from(`x-access-token:${token}`).toString("base64");
  let out = text;
  for (const secret of [token, basic]) if (secret) out = out.split(secret).join("***");
  return out.replace(/(authorization:\s*\w+\s+)\S+/gi, "$1***").replace(/\/\/[^/@\s]+@/g, "//***@");
}

/** `git fetch --prune` of MIRROR_REFSPECS from `cloneUrl` into the bare repository `gitDir`. */
export async function fetchOverHttps(
  cwd: string,
  gitDir: string,
  cloneUrl: string,
  token: string,
): Promise<void> {
  const url = checkCloneUrl(cloneUrl);
  let result: Awaited<ReturnType<typeof runGit>>;
  try {
    result = await runGit(
      cwd,
      [
        `--git-dir=${gitDir}`,
        "fetch",
        "--prune",
        "--no-tags",
        "--no-write-fetch-head",
        "--quiet",
        url.toString(),
        ...MIRROR_REFSPECS,
      ],
      { env: authEnvironment(token) },
    );
  } catch (error) {
    throw new MirrorUnavailableError(
      "git",
      scrubToken(error instanceof Error ? error.message : String(error), token),
    );
  }
  if (result.code === 0) return;
  const stderr = scrubToken(result.stderr, token);
  const where = `${url.host}${url.pathname}`;
  throw classifyFetchFailure(stderr, where);
}

function classifyFetchFailure(stderr: string, where: string): MirrorUnavailableError {
  if (/Authentication failed|could not read (Username|Password)|returned error: 401/i.test(stderr)) {
    return new MirrorUnavailableError(
      "auth",
      `fetching ${where} was refused (401): the installation token is invalid or expired`,
    );
  }
  if (/returned error: (403|404)|repository '.*' not found|not found/i.test(stderr)) {
    return new MirrorUnavailableError("permission", `fetching ${where}: ${gitMessage(stderr)}`);
  }
  if (
    /Failed to connect|Could not resolve host|Connection refused|timed out|Operation too slow|SSL/i.test(
      stderr,
    )
  ) {
    return new MirrorUnavailableError("network", `fetching ${where}: ${gitMessage(stderr)}`);
  }
  return new MirrorUnavailableError("git", `fetching ${where}: ${gitMessage(stderr)}`);
}
