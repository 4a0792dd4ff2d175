import { spawn } from "node:child_process";
import type { IncomingMessage, ServerResponse } from "node:http";
import { basename, dirname } from "node:path";

// Git's smart HTTP protocol, answered by git's own `git http-backend` run as a CGI program, so a
// fetch against the fake GitHub exercises exactly the client code path a fetch from github.com does.

export interface RecordedGitRequest {
  method: string;
  /** `/{owner}/{name}.git/info/refs`, `/{owner}/{name}.git/git-upload-pack`, … */
  path: string;
  /** `git-upload-pack` for fetches (from the query or the path). */
  service: string | null;
  status: number;
  /** Bytes of the response body: small for an incremental fetch, the whole history for a clone. */
  responseBytes: number;
}

/** Streams one request through `git http-backend` for the bare repository at `gitDir`. */
export function serveGit(
  req: IncomingMessage,
  res: ServerResponse,
  options: { gitDir: string; pathInRepo: string; query: string; remoteUser: string },
): Promise<{ status: number; responseBytes: number }> {
  return new Promise((resolve, reject) => {
    const headers = req.headers;
    const cgiEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: dirname(options.gitDir),
      GIT_HTTP_EXPORT_ALL: "1",
      PATH_INFO: `/${basename(options.gitDir)}${options.pathInRepo}`,
      QUERY_STRING: options.query,
      REQUEST_METHOD: req.method ?? "GET",
      CONTENT_TYPE: headers["content-type"] ?? "",
      REMOTE_USER: options.remoteUser,
      REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
    };
    if (headers["content-length"]) cgiEnv.CONTENT_LENGTH = headers["content-length"];
    if (headers["content-encoding"]) cgiEnv.HTTP_CONTENT_ENCODING = headers["content-encoding"];
    const protocol = headers["git-protocol"];
    if (typeof protocol === "string") {
      cgiEnv.GIT_PROTOCOL = protocol;
      cgiEnv.HTTP_GIT_PROTOCOL = protocol;
    }
    const child = spawn("git", ["http-backend"], { env: cgiEnv, stdio: ["pipe", "pipe", "pipe"] });
    child.once("error", reject);
    child.stderr.resume();
    req.pipe(child.stdin);
    child.stdin.on("error", () => {
      // http-backend may answer (an error) before reading the whole body.
    });

    let head = Buffer.alloc(0);
    let status = 200;
    let headersSent = false;
    let responseBytes = 0;
    child.stdout.on("data", (chunk: Buffer) => {
      if (headersSent) {
        responseBytes += chunk.length;
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const crlf = head.indexOf("\r\n\r\n");
      const lf = head.indexOf("\n\n");
      const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf;
      if (end < 0) return;
      const separator = end === crlf ? 4 : 2;
      const lines = head.subarray(0, end).toString("latin1").split(/\r?\n/);
      const out: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(":");
        if (colon <= 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === "status") status = Number.parseInt(value, 10) || 500;
        else out[name] = value;
      }
      res.writeHead(status, out);
      headersSent = true;
      const body = head.subarray(end + separator);
      responseBytes += body.length;
      if (body.length > 0) res.write(body);
    });
    child.once("close", (code) => {
      if (!headersSent) {
        status = 500;
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(`git http-backend exited with ${code}\n`);
      } else res.end();
      resolve({ status, responseBytes });
    });
  });
}
