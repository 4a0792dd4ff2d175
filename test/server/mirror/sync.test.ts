import { execFileSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { lines } from "../../cli/helpers/git-fixture.ts";
import { type MirrorWorld, mirrorWorld } from "./helpers.ts";

// Real git, the fake GitHub serving a real bare repository over smart HTTP, a mirror in a temp dir.

let world: MirrorWorld;
afterEach(async () => {
  await world?.close();
});

const REPO = "5b6f3a52-6a4e-4b0c-9a53-3b1f0c2d7e11";

describe("RepositoryMirrors.sync", () => {
  it("clones through the fake GitHub with the installation token, then fetches only new objects", async () => {
    world = await mirrorWorld();
    for (let i = 0; i < 20; i++) world.commit(`src/file-${i}.ts`, lines(400, `v${i}`));
    world.push("main:main");
    const token = await world.token();

    const first = await world.mirrors.sync(
      { id: REPO, cloneUrl: world.cloneUrl, defaultBranch: "main" },
      token,
    );
    expect(first.status).toBe("cloned");
    if (first.status === "too_large") throw new Error("unexpected");
    expect(first.gitDir).toBe(`${world.root}/${REPO}.git`);
    expect(world.refs(first.gitDir)).toEqual(world.refs(world.served));
    const cloneBytes = world.fake.gitRequests.reduce((n, r) => n + r.responseBytes, 0);
    expect(world.fake.gitRequests.every((r) => r.status === 200)).toBe(true);
    // The token was issued through the App's endpoint; git asked the REST API for nothing.
    expect(world.fake.requests.filter((r) => r.path.startsWith("/repos/"))).toEqual([]);

    const tip = world.commit("src/new.ts", "export const n = 1;\n");
    world.push("main:main");
    const before = world.fake.gitRequests.length;
    const second = await world.mirrors.sync({ id: REPO, cloneUrl: world.cloneUrl }, token);
    expect(second).toMatchObject({ status: "fetched", coalesced: false });
    expect(world.refs(first.gitDir).get("refs/heads/main")).toBe(tip);
    const fetchBytes = world.fake.gitRequests.slice(before).reduce((n, r) => n + r.responseBytes, 0);
    // The incremental fetch carries one commit, one tree change and one blob, not the history.
    expect(fetchBytes).toBeLessThan(cloneBytes / 10);
    const head = execFileSync("git", [`--git-dir=${first.gitDir}`, "symbolic-ref", "HEAD"])
      .toString()
      .trim();
    expect(head).toBe("refs/heads/main");
  });

  it("follows force-pushes and deleted branches", async () => {
    world = await mirrorWorld();
    world.commit("a.txt", "a\n");
    world.upstream.git(["checkout", "-q", "-b", "feature"]);
    const featureOld = world.commit("b.txt", "b\n");
    world.push("main:main", "feature:feature", "feature:refs/heads/doomed");
    const token = await world.token();
    const { gitDir } = await world.mirrors.sync({ id: REPO, cloneUrl: world.cloneUrl }, token);
    if (!gitDir) throw new Error("no mirror");
    expect(world.refs(gitDir).get("refs/heads/feature")).toBe(featureOld);
    expect(world.refs(gitDir).has("refs/heads/doomed")).toBe(true);

    world.upstream.git(["reset", "-q", "--hard", "main"]);
    const featureNew = world.commit("c.txt", "rewritten\n");
    world.push("feature:feature", ":refs/heads/doomed");
    await world.mirrors.sync({ id: REPO, cloneUrl: world.cloneUrl }, token);

    const refs = world.refs(gitDir);
    expect(refs.get("refs/heads/feature")).toBe(featureNew);
    expect(refs.has("refs/heads/doomed")).toBe(false);
    expect(refs).toEqual(world.refs(world.served));
  });

  it("brings git-ai notes and pull request heads, and no tags or other refs", async () => {
    world = await mirrorWorld();
    const base = world.commit("a.txt", "a\n");
    world.upstream.git(["checkout", "-q", "-b", "pr"]);
    const prHead = world.commit("b.txt", "b\n");
    world.upstream.git(["notes", "--ref=ai", "add", "-m", '{"agent":"claude"}', prHead]);
    world.upstream.git(["tag", "v1", base]);
    world.push("main:main", `${prHead}:refs/pull/7/head`, "refs/notes/ai:refs/notes/ai", "v1:refs/tags/v1");
    world.push(`${base}:refs/pull/7/merge`);

    const result = await world.mirrors.sync({ id: REPO, cloneUrl: world.cloneUrl }, await world.token());
    if (!result.gitDir) throw new Error("no mirror");
    const refs = world.refs(result.gitDir);
    expect([...refs.keys()].sort()).toEqual(["refs/heads/main", "refs/notes/ai", "refs/pull/7/head"]);
    expect(refs.get("refs/pull/7/head")).toBe(prHead);
    const note = execFileSync("git", [`--git-dir=${result.gitDir}`, "notes", "--ref=ai", "show", prHead]);
    expect(note.toString()).toContain('"agent":"claude"');
  });

  it("does not mirror a repository over the size limit", async () => {
    world = await mirrorWorld({ maxRepoBytes: 1024 * 1024 });
    world.commit("a.txt", "a\n");
    world.push("main:main");
    const result = await world.mirrors.sync(
      { id: REPO, cloneUrl: world.cloneUrl, sizeKb: 2048 },
      await world.token(),
    );
    expect(result).toMatchObject({ status: "too_large", gitDir: null });
    if (result.status === "too_large") expect(result.reason).toMatch(/2 MiB, over the mirror limit of 1 MiB/);
    expect(world.fake.gitRequests).toEqual([]);
    expect(await world.mirrors.list()).toEqual([]);
  });

  it("reports clone_url and size on the REST repository resource", async () => {
    world = await mirrorWorld();
    world.commit("a.txt", lines(5000));
    world.push("main:main");
    const response = await fetch(`${world.fake.url}/repos/octo-org/sentinel-demo`, {
      headers: { authorization: `token ${await world.token()}` },
    });
    const body = (await response.json()) as { clone_url: string; size: number };
    expect(body.clone_url).toBe(world.cloneUrl);
    expect(body.size).toBeGreaterThan(0);
  });
});
