import { afterEach, describe, expect, it } from "vitest";
import { chooseEvictions } from "../../../src/server/mirror/eviction.ts";
import { RepositoryMirrors } from "../../../src/server/mirror/repository-mirrors.ts";
import { lines } from "../../cli/helpers/git-fixture.ts";
import { type MirrorWorld, mirrorWorld } from "./helpers.ts";

let world: MirrorWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const entry = (repoId: string, bytes: number, usedAt: number) => ({
  repoId,
  gitDir: `/m/${repoId}.git`,
  bytes,
  lastUsedAt: new Date(usedAt),
});

describe("eviction", () => {
  it("chooses least recently used mirrors until the total fits, never a kept one", () => {
    const entries = [entry("new", 40, 3), entry("old", 40, 1), entry("mid", 40, 2), entry("kept", 40, 0)];
    expect(chooseEvictions(entries, 120, new Set(["kept"])).map((e) => e.repoId)).toEqual(["old"]);
    expect(chooseEvictions(entries, 50, new Set(["kept"])).map((e) => e.repoId)).toEqual([
      "old",
      "mid",
      "new",
    ]);
    expect(chooseEvictions(entries, 160, new Set())).toEqual([]);
  });

  it("a sync that pushes the total over the cap deletes the least recently used mirror", async () => {
    world = await mirrorWorld();
    for (let i = 0; i < 5; i++) world.commit(`f${i}.txt`, lines(2000, `r${i}`));
    world.push("main:main");
    const token = await world.token();
    const w = world;
    const sync = (mirrors: RepositoryMirrors, id: string) =>
      mirrors.sync({ id, cloneUrl: w.cloneUrl }, token);

    const roomy = new RepositoryMirrors({ root: world.root, maxBytes: 1e12, maxRepoBytes: 1e12 });
    await sync(roomy, "repo-a");
    await sync(roomy, "repo-b");
    await roomy.touch("repo-a"); // a reader used a after b was synced: b is now the least recent
    const listed = await roomy.list();
    expect(listed.map((e) => e.repoId).sort()).toEqual(["repo-a", "repo-b"]);
    const one = listed[0]?.bytes ?? 0;
    expect(one).toBeGreaterThan(10_000);

    // Room for two mirrors, not three.
    const capped = new RepositoryMirrors({ root: world.root, maxBytes: one * 2.5, maxRepoBytes: 1e12 });
    await sync(capped, "repo-c");
    expect((await capped.list()).map((e) => e.repoId).sort()).toEqual(["repo-a", "repo-c"]);
  });
});
