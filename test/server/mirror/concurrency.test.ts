import { mkdirSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { RepositoryMirrors } from "../../../src/server/mirror/repository-mirrors.ts";
import { type MirrorWorld, mirrorWorld } from "./helpers.ts";

let world: MirrorWorld;
afterEach(async () => {
  await world?.close();
});

const REPO = "7d8e9f00-1a2b-4c3d-9e4f-5a6b7c8d9e0f";
const infoRefs = (w: MirrorWorld) => w.fake.gitRequests.filter((r) => r.path.endsWith("/info/refs"));

describe("one fetch per repository at a time", () => {
  it("two workers syncing the same repository at once make one clone", async () => {
    world = await mirrorWorld();
    world.commit("a.txt", "a\n");
    world.push("main:main");
    const token = await world.token();
    // Two instances share only the directory, as two worker processes would.
    const other = new RepositoryMirrors({ root: world.root, maxBytes: 1e12, maxRepoBytes: 1e12 });
    const repo = { id: REPO, cloneUrl: world.cloneUrl };
    const [a, b] = await Promise.all([world.mirrors.sync(repo, token), other.sync(repo, token)]);

    expect([a.status, b.status].sort()).toEqual(["cloned", "fetched"]);
    const waited = a.status === "fetched" ? a : b;
    expect(waited).toMatchObject({ coalesced: true });
    // Each fetch opens with one ref advertisement (GET info/refs): one fetch in all.
    expect(infoRefs(world)).toHaveLength(1);
  });

  it("a sync asked after a fetch started fetches again, so no push is missed", async () => {
    world = await mirrorWorld();
    world.commit("a.txt", "a\n");
    world.push("main:main");
    const token = await world.token();
    const repo = { id: REPO, cloneUrl: world.cloneUrl };
    await world.mirrors.sync(repo, token);
    const tip = world.commit("b.txt", "b\n");
    world.push("main:main");
    const later = await world.mirrors.sync(repo, token);
    expect(later).toMatchObject({ status: "fetched", coalesced: false });
    expect(world.refs(world.mirrors.gitDirFor(REPO)).get("refs/heads/main")).toBe(tip);
    expect(infoRefs(world)).toHaveLength(2);
  });

  it("takes over a lock left by a process that died", async () => {
    world = await mirrorWorld();
    world.commit("a.txt", "a\n");
    world.push("main:main");
    mkdirSync(world.root, { recursive: true });
    // pid 2^22+1 is above Linux's pid_max default: no such process.
    writeFileSync(join(world.root, `${REPO}.lock`), JSON.stringify({ pid: 4_194_305, host: hostname() }));
    const result = await world.mirrors.sync({ id: REPO, cloneUrl: world.cloneUrl }, await world.token());
    expect(result.status).toBe("cloned");
  });

  it("gives up with reason busy when a live holder keeps the lock too long", async () => {
    world = await mirrorWorld();
    mkdirSync(world.root, { recursive: true });
    writeFileSync(join(world.root, `${REPO}.lock`), JSON.stringify({ pid: process.pid, host: hostname() }));
    const impatient = new RepositoryMirrors({
      root: world.root,
      maxBytes: 1e12,
      maxRepoBytes: 1e12,
      lock: { waitMs: 200, staleMs: 60_000 },
    });
    await expect(
      impatient.sync({ id: REPO, cloneUrl: world.cloneUrl }, await world.token()),
    ).rejects.toMatchObject({
      name: "MirrorUnavailableError",
      reason: "busy",
    });
  });
});
