import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { formatMirrorTable } from "../../../src/cli/commands/mirrors.ts";
import { RepositoryMirrors } from "../../../src/server/mirror/repository-mirrors.ts";
import { runCli } from "../../cli/helpers/git-fixture.ts";
import { type MirrorWorld, mirrorWorld } from "./helpers.ts";

let world: MirrorWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe("sentinel mirrors list", () => {
  it("formats id, full name, size and last use, with the total", () => {
    const text = formatMirrorTable(
      [
        {
          repoId: "r1",
          gitDir: "/m/r1.git",
          bytes: 3 * 1024 * 1024,
          lastUsedAt: new Date("2024-06-01T10:00:00Z"),
        },
        { repoId: "r2", gitDir: "/m/r2.git", bytes: 512, lastUsedAt: new Date("2024-05-01T10:00:00Z") },
      ],
      new Map([["r1", "octo-org/big"]]),
      "/m",
    );
    expect(text.split("\n")).toEqual([
      "REPOSITORY ID  FULL NAME     SIZE   LAST USED",
      "r1             octo-org/big  3 MiB  2024-06-01T10:00:00Z",
      "r2             -             512 B  2024-05-01T10:00:00Z",
      "2 mirrors, 3.0 MiB in /m",
      "",
    ]);
  });

  it("lists the mirrors under SENTINEL_DATA_DIR/mirrors from the command line", async () => {
    world = await mirrorWorld();
    world.commit("a.txt", "a\n");
    world.push("main:main");
    const dataDir = join(world.root, "..", "data");
    const mirrors = new RepositoryMirrors({
      root: join(dataDir, "mirrors"),
      maxBytes: 1e12,
      maxRepoBytes: 1e12,
    });
    await mirrors.sync({ id: "repo-a", cloneUrl: world.cloneUrl }, await world.token());

    const result = runCli(["mirrors", "list"], { env: { SENTINEL_DATA_DIR: dataDir } });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^REPOSITORY ID +FULL NAME +SIZE +LAST USED\nrepo-a +- +\d+(\.\d)? KiB +\d{4}-/,
    );
    expect(result.stdout).toContain("1 mirror,");
  }, 120_000);
});
