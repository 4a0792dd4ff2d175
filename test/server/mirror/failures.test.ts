import { execFileSync } from "node:child_process";
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MirrorUnavailableError } from "../../../src/server/mirror/errors.ts";
import { RepositoryMirrors } from "../../../src/server/mirror/repository-mirrors.ts";
import { filesContaining, type MirrorWorld, mirrorWorld } from "./helpers.ts";

let world: MirrorWorld;
afterEach(async () => {
  await world?.close();
});

const REPO = "0c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e";

async function failure(promise: Promise<unknown>): Promise<MirrorUnavailableError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MirrorUnavailableError);
  return error as MirrorUnavailableError;
}

function noSecret(error: Error, token: string): void {
  const basic = Buffer.from(`x-access-token:${token}`).toString("base64");
  const text = `${error.message}\n${error.stack ?? ""}\n${JSON.stringify(error)}`;
  expect(text).not.toContain(token);
  expect(text).not.toContain(basic);
}

describe("RepositoryMirrors.sync when things go wrong", () => {
  it("an expired token fails with a clear error that does not contain the token", async () => {
    world = await mirrorWorld();
    world.commit("a.txt", "a\n");
    world.push("main:main");
    const token = await world.token();
    world.fake.expireTokens();
    const error = await failure(world.mirrors.sync({ id: REPO, cloneUrl: world.cloneUrl }, token));
    expect(error.reason).toBe("auth");
    expect(error.message).toMatch(/refused \(401\).*token is invalid or expired/);
    noSecret(error, token);
    // Nothing half-made is left behind.
    expect(readdirSync(world.root)).toEqual([]);
  });

  it("a token that expires during a fetch fails the same way and keeps the mirror usable", async () => {
    world = await mirrorWorld();
    world.commit("a.txt", "a\n");
    world.push("main:main");
    const token = await world.token();
    const first = await world.mirrors.sync({ id: REPO, cloneUrl: world.cloneUrl }, token);
    world.commit("b.txt", "b\n");
    world.push("main:main");
    // The ref advertisement is answered; the pack request that follows is refused.
    world.fake.expireTokens(1);
    const error = await failure(world.mirrors.sync({ id: REPO, cloneUrl: world.cloneUrl }, token));
    expect(error.reason).toBe("auth");
    noSecret(error, token);
    expect(world.fake.gitRequests.map((r) => r.status).slice(-2)).toEqual([200, 401]);
    // A new token brings it up to date by fetching, not re-cloning.
    const again = await world.mirrors.sync({ id: REPO, cloneUrl: world.cloneUrl }, await world.token());
    expect(again).toMatchObject({ status: "fetched", gitDir: first.gitDir });
  });

  it("the token lands in no file under the mirror root", async () => {
    world = await mirrorWorld();
    world.commit("a.txt", "a\n");
    world.upstream.git(["notes", "--ref=ai", "add", "-m", "note", "HEAD"]);
    world.push("main:main", "refs/notes/ai:refs/notes/ai");
    const token = await world.token();
    await world.mirrors.sync({ id: REPO, cloneUrl: world.cloneUrl }, token);
    world.commit("b.txt", "b\n");
    world.push("main:main");
    await world.mirrors.sync({ id: REPO, cloneUrl: world.cloneUrl }, token);
    const basic = Buffer.from(`x-access-token:${token}`).toString("base64");
    expect(filesContaining(world.root, token)).toEqual([]);
    expect(filesContaining(world.root, basic)).toEqual([]);
    expect(filesContaining(world.root, "x-access-token")).toEqual([]);
  });

  it("re-clones a mirror whose tip object was deleted", async () => {
    world = await mirrorWorld();
    const tip = world.commit("a.txt", "a\n");
    world.push("main:main");
    const token = await world.token();
    const { gitDir } = await world.mirrors.sync({ id: REPO, cloneUrl: world.cloneUrl }, token);
    if (!gitDir) throw new Error("no mirror");
    rmSync(join(gitDir, "objects", tip.slice(0, 2), tip.slice(2)));

    const result = await world.mirrors.sync({ id: REPO, cloneUrl: world.cloneUrl }, token);
    expect(result).toMatchObject({ status: "cloned", gitDir });
    execFileSync("git", [`--git-dir=${gitDir}`, "fsck", "--connectivity-only"]);
    expect(world.refs(gitDir).get("refs/heads/main")).toBe(tip);
  });

  it("re-clones a mirror whose HEAD is garbage", async () => {
    world = await mirrorWorld();
    world.commit("a.txt", "a\n");
    world.push("main:main");
    const token = await world.token();
    const { gitDir } = await world.mirrors.sync({ id: REPO, cloneUrl: world.cloneUrl }, token);
    if (!gitDir) throw new Error("no mirror");
    writeFileSync(join(gitDir, "HEAD"), "\u0000garbage\n");

    const result = await world.mirrors.sync({ id: REPO, cloneUrl: world.cloneUrl }, token);
    expect(result.status).toBe("cloned");
    expect(world.refs(gitDir)).toEqual(world.refs(world.served));
  });

  it("re-clones a mirror whose directory is not a git repository", async () => {
    world = await mirrorWorld();
    world.commit("a.txt", "a\n");
    world.push("main:main");
    const gitDir = world.mirrors.gitDirFor(REPO);
    execFileSync("mkdir", ["-p", gitDir]);
    writeFileSync(join(gitDir, "stray.txt"), "not git\n");
    const result = await world.mirrors.sync({ id: REPO, cloneUrl: world.cloneUrl }, await world.token());
    expect(result.status).toBe("cloned");
    expect(world.refs(gitDir)).toEqual(world.refs(world.served));
  });

  it("an unwritable mirror root gives MirrorUnavailableError with the reason", async () => {
    world = await mirrorWorld();
    world.commit("a.txt", "a\n");
    world.push("main:main");
    // A regular file where the root's parent should be: not creatable, even for root.
    const blocker = join(world.root, "..", "a-file");
    writeFileSync(blocker, "");
    const mirrors = new RepositoryMirrors({
      root: join(blocker, "mirrors"),
      maxBytes: 1e9,
      maxRepoBytes: 1e9,
    });
    const error = await failure(mirrors.sync({ id: REPO, cloneUrl: world.cloneUrl }, await world.token()));
    expect(error.reason).toBe("unwritable");
    expect(error.message).toMatch(/mirror directory .*a-file\/mirrors is not writable \(ENOTDIR\)/);
    expect(world.fake.gitRequests).toEqual([]);
  });

  it("refuses to send a token over plain HTTP to another host, or with credentials in the URL", async () => {
    world = await mirrorWorld();
    const token = await world.token();
    const plain = await failure(
      world.mirrors.sync({ id: REPO, cloneUrl: "http://example.com/o/r.git" }, token),
    );
    expect(plain.reason).toBe("invalid_url");
    const withCredentials = await failure(
      world.mirrors.sync(
        { id: REPO, cloneUrl: `https://x-access-token:${token}@example.com/o/r.git` },
        token,
      ),
    );
    expect(withCredentials.reason).toBe("invalid_url");
    noSecret(withCredentials, token);
  });
});
