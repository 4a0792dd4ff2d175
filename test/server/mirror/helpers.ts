import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RepositoryMirrors } from "../../../src/server/mirror/repository-mirrors.ts";
import { GitFixture } from "../../cli/helpers/git-fixture.ts";
import { defaultFixtures } from "../../fake-github/fixtures.ts";
import { type FakeGithub, startFakeGithub } from "../../fake-github/server.ts";

// A repository on "GitHub": a working copy (GitFixture) pushing into a bare repository that the fake
// GitHub serves over smart HTTP, plus a mirror root in a temp dir.

export interface MirrorWorld {
  fake: FakeGithub;
  upstream: GitFixture;
  /** The bare repository the fake serves. */
  served: string;
  cloneUrl: string;
  root: string;
  mirrors: RepositoryMirrors;
  /** A fresh installation token, as the App would get one. */
  token(): Promise<string>;
  commit(file: string, content: string, date?: string): string;
  /** `git push --force` of refspecs from the working copy to the served repository. */
  push(...refspecs: string[]): void;
  /** Refs in a bare repository: name → sha. */
  refs(gitDir: string): Map<string, string>;
  close(): Promise<void>;
}

let clock = 0;

export async function mirrorWorld(
  options: { maxBytes?: number; maxRepoBytes?: number } = {},
): Promise<MirrorWorld> {
  const upstream = GitFixture.create("sentinel-mirror-up-");
  const served = upstream.sibling("served.git");
  upstream.git(["init", "-q", "--bare", served]);
  const root = join(mkdtempSync(join(tmpdir(), "sentinel-mirrors-")), "mirrors");
  const data = defaultFixtures();
  const repo = data.repos[0];
  if (!repo) throw new Error("fixtures have no repository");
  repo.gitDir = served;
  const fake = await startFakeGithub({ data });
  const mirrors = new RepositoryMirrors({
    root,
    maxBytes: options.maxBytes ?? 1024 ** 3,
    maxRepoBytes: options.maxRepoBytes ?? 1024 ** 3,
  });
  const world: MirrorWorld = {
    fake,
    upstream,
    served,
    cloneUrl: `${fake.url}/${repo.owner}/${repo.name}.git`,
    root,
    mirrors,
    async token() {
      const response = await fetch(`${fake.url}/app/installations/4242/access_tokens`, {
        method: "POST",
        headers: { authorization: "Bearer header.payload.signature" },
      });
      return ((await response.json()) as { token: string }).token;
    },
    commit(file, content, date) {
      upstream.write(file, content);
      clock++;
      return upstream.commit(`change ${file}`, {
        date: date ?? new Date(Date.UTC(2024, 0, 1) + clock * 60_000).toISOString(),
      });
    },
    push(...refspecs) {
      upstream.git(["push", "-q", "--force", served, ...refspecs]);
    },
    refs(gitDir) {
      const out = execFileSync("git", [
        `--git-dir=${gitDir}`,
        "for-each-ref",
        "--format=%(refname) %(objectname)",
      ])
        .toString("utf8")
        .trim();
      return new Map(
        out
          .split("\n")
          .filter(Boolean)
          .map((line) => line.split(" ") as [string, string]),
      );
    },
    async close() {
      await fake.close();
      upstream.remove();
      rmSync(join(root, ".."), { recursive: true, force: true });
    },
  };
  return world;
}

/** Every file under `dir` whose bytes contain `needle`. */
export function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = [];
  const walk = (path: string): void => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      const info = statSync(full);
      if (info.isDirectory()) walk(full);
      else if (readFileSync(full).includes(needle)) hits.push(full);
    }
  };
  walk(dir);
  return hits;
}

export function makeDir(path: string): string {
  mkdirSync(path, { recursive: true });
  return path;
}
