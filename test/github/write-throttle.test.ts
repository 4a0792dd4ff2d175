import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGithubApp, type GithubApp } from "../../src/server/github-app/app-client.ts";
import { defaultFixtures } from "../fake-github/fixtures.ts";
import { type FakeGithub, startFakeGithub } from "../fake-github/server.ts";

// GitHub asks for about one write a second per installation token. Octokit spaces writes that far
// apart; the App keys that spacing by installation, so one organization's burst of check runs does
// not queue another organization's behind it.
let github: FakeGithub;
let app: GithubApp;

beforeAll(async () => {
  const data = defaultFixtures();
  data.installations.push({
    id: 4343,
    account: { login: "other-org", id: 9002, type: "Organization" },
    repository_selection: "selected",
  });
  github = await startFakeGithub({ data });
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  app = createGithubApp({ appId: "1", privateKey, apiUrl: github.url, retries: 0 });
});
afterAll(() => github?.close());

describe("write throttling", () => {
  it("spaces each installation's writes on their own, not behind another installation's", async () => {
    const first = await app.getInstallationOctokit(4242);
    const second = await app.getInstallationOctokit(4343);
    const write = (octokit: typeof first) =>
      octokit
        .request("POST /repos/{owner}/{repo}/check-runs", {
          owner: "octo-org",
          repo: "sentinel-demo",
          name: "throttle",
          head_sha: "0".repeat(40),
        })
        .catch(() => null); // the answer does not matter here, only when the request arrived
    const started = performance.now();
    // Three writes of each installation, all at once.
    await Promise.all([
      write(first),
      write(first),
      write(first),
      write(second),
      write(second),
      write(second),
    ]);
    const seconds = (performance.now() - started) / 1000;

    const writes = github.requests.filter((r) => r.method === "POST" && r.path.endsWith("/check-runs"));
    expect(writes.filter((r) => r.authorization?.includes("ghs_fake4242"))).toHaveLength(3);
    expect(writes.filter((r) => r.authorization?.includes("ghs_fake4343"))).toHaveLength(3);
    // Octokit holds writes sharing a throttle one second apart: one throttle for both installations
    // needs at least 5 s for six writes, one each needs 2 s (three slots side by side).
    expect(seconds).toBeGreaterThanOrEqual(1.9);
    expect(seconds).toBeLessThan(4.5);
  }, 30_000);
});
