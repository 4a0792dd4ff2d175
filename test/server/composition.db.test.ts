import { generateKeyPairSync } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { compose } from "../../src/server/composition.ts";
import { loadEnv } from "../../src/server/env.ts";
import { noQueue } from "../../src/server/jobs/queue.ts";
import { useTestDatabase } from "../helpers/db.ts";

// One composition root builds the process's infrastructure; everything else is handed it.

const database = useTestDatabase();
const SRC = join(import.meta.dirname, "../../src");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

describe("the composition root", () => {
  it("is the only place that builds the GitHub App, the mirror store and the mirror source", () => {
    const builders = ["githubAppFromEnv", "createGithubApp", "RepositoryMirrors.fromEnv", "mirrorSource"];
    const sites: string[] = [];
    for (const file of sources(SRC)) {
      const text = readFileSync(file, "utf8");
      for (const name of builders) {
        // A call, not the definition (`function name(`, `static fromEnv(`).
        const call = new RegExp(`(?<!function |static )\\b${name.replace(".", "\\.")}\\(`, "g");
        for (const _ of text.matchAll(call)) sites.push(`${relative(SRC, file)}: ${name}`);
      }
    }
    expect(sites.sort()).toEqual([
      "server/composition.ts: RepositoryMirrors.fromEnv",
      "server/composition.ts: githubAppFromEnv",
      "server/composition.ts: mirrorSource",
      // githubAppFromEnv's own body.
      "server/github-app/app-client.ts: createGithubApp",
    ]);
  });

  it("gives the App and the mirror source with the App's credentials, and null for both without", () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const withApp = compose(
      loadEnv({
        NODE_ENV: "test",
        GITHUB_APP_ID: "1",
        GITHUB_APP_PRIVATE_KEY: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
      }),
      database(),
      noQueue,
    );
    expect(withApp.github).not.toBeNull();
    expect(withApp.mirrorSource).not.toBeNull();
    expect(withApp.queue).toBe(noQueue);

    const without = compose(loadEnv({ NODE_ENV: "test" }), database(), noQueue);
    expect(without.github).toBeNull();
    expect(without.mirrorSource).toBeNull();
    expect(without.mirrors.root).toBe(withApp.mirrors.root);
  });
});
