import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { accounts } from "../../src/server/db/schema/auth.ts";
import { githubInstallations } from "../../src/server/db/schema/index.ts";
import { createApp } from "../../src/server/http/app.ts";
import { type Queue, startQueue } from "../../src/server/jobs/queue.ts";
import { issueSetupState, SETUP_STATE_TTL_MS } from "../../src/server/services/github/setup-states.ts";
import {
  addMember,
  bearer,
  call,
  makeKey,
  makeOrg,
  ORIGIN,
  session,
  signUp,
  TEST_ENV,
  type TestApp,
  unique,
} from "../api/helpers.ts";
import { type FakeGithub, startFakeGithub } from "../fake-github/server.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { createInstallation, uniqueId } from "./helpers.ts";

// "Connect GitHub": an admin asks for an install link, GitHub sends the browser back to the setup
// URL with its state and an installation id, and the installation is linked to the admin's
// organization. The id is only a number anyone can type, so the link needs the admin's own session,
// a state used once, and — with GitHub sign-in — proof that the admin can see the installation.

vi.setConfig({ hookTimeout: 120_000, testTimeout: 60_000 });

const database = useTestDatabase();
let queue: Queue;
let app: TestApp;
let github: FakeGithub;
let oauthApp: TestApp;
const visible = uniqueId();
const foreign = uniqueId();

beforeAll(async () => {
  queue = await startQueue(database(), { supervise: false });
  app = createApp({ handle: database(), env: TEST_ENV, queue, github: null });
  github = await startFakeGithub({
    data: {
      installations: [visible, foreign].map((id) => ({
        id,
        account: { login: `acct-${id}`, id, type: "Organization" as const },
        repository_selection: "all" as const,
      })),
      repos: [],
      hookDeliveries: [],
      userInstallations: { gho_admin: [visible] },
    },
  });
  oauthApp = createApp({
    handle: database(),
    env: {
      ...TEST_ENV,
      GITHUB_CLIENT_ID: "client",
      GITHUB_CLIENT_SECRET: "secret",
      GITHUB_API_URL: github.url,
    },
    queue,
    github: null,
  });
});

afterAll(async () => {
  await queue?.stop();
  await github?.close();
});

async function orgWith(role: "admin" | "member", on: TestApp = app) {
  const org = await makeOrg(database().db);
  const person = await signUp(on, `${unique(role)}@example.com`);
  await addMember(database().db, org.id, person.userId, role);
  return { org, person, headers: session(person.cookie, org.slug) };
}

async function stateFor(headers: Record<string, string>, on: TestApp = app): Promise<string> {
  const res = await call(on, "POST", "/api/v1/installations/install-link", { headers });
  expect(res.status).toBe(200);
  return new URL((res.body as { url: string }).url).searchParams.get("state") ?? "";
}

async function setup(installationId: number, state: string, cookie?: string, on: TestApp = app) {
  const query = new URLSearchParams({
    installation_id: String(installationId),
    state,
    setup_action: "install",
  });
  return on.request(`${ORIGIN}/api/github/setup?${query}`, { headers: cookie ? { cookie } : {} });
}

async function linkedOrg(installationId: number): Promise<string | null | undefined> {
  const [row] = await database()
    .db.select({ orgId: githubInstallations.orgId })
    .from(githubInstallations)
    .where(eq(githubInstallations.installationId, installationId));
  return row?.orgId;
}

describe("Connect GitHub", () => {
  it("links a new installation to the organization of the admin who started the install, once", async () => {
    const { org, person, headers } = await orgWith("admin");
    const res = await call(app, "POST", "/api/v1/installations/install-link", { headers });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = res.body as { url: string; expiresAt: string };
    const url = new URL(body.url);
    expect(`${url.origin}${url.pathname}`).toBe("https://github.com/apps/sentinel-test/installations/new");
    expect(new Date(body.expiresAt).getTime() - Date.now()).toBeGreaterThan(SETUP_STATE_TTL_MS - 60_000);
    const state = url.searchParams.get("state") ?? "";

    const installationId = uniqueId();
    await createInstallation(database().db, installationId, null);
    const back = await setup(installationId, state, person.cookie);
    expect(back.status).toBe(302);
    expect(back.headers.get("location")).toBe(`/settings?github_installation=${installationId}`);
    expect(await linkedOrg(installationId)).toBe(org.id);

    // The state is used up: it cannot link a second installation.
    const second = uniqueId();
    await createInstallation(database().db, second, null);
    expect((await setup(second, state, person.cookie)).status).toBe(401);
    expect(await linkedOrg(second)).toBeNull();
  });

  it("refuses members and API keys an install link", async () => {
    const { org, headers } = await orgWith("member");
    expect((await call(app, "POST", "/api/v1/installations/install-link", { headers })).status).toBe(403);
    const key = await makeKey(database().db, org.id, ["admin"]);
    const res = await call(app, "POST", "/api/v1/installations/install-link", { headers: bearer(key.key) });
    expect(res.status).toBe(403);
  });

  it("needs the session of the admin the state was issued to", async () => {
    const { person, headers } = await orgWith("admin");
    const state = await stateFor(headers);
    const installationId = uniqueId();
    await createInstallation(database().db, installationId, null);
    // Not signed in: refused, and the state is still good for its owner.
    expect((await setup(installationId, state)).status).toBe(401);
    // Another admin (of another organization) holding the link: refused, and the state is spent.
    const other = await orgWith("admin");
    expect((await setup(installationId, state, other.person.cookie)).status).toBe(403);
    expect((await setup(installationId, state, person.cookie)).status).toBe(401);
    expect(await linkedOrg(installationId)).toBeNull();
  });

  it("refuses an admin demoted since the link was issued", async () => {
    const { org, person, headers } = await orgWith("admin");
    const state = await stateFor(headers);
    await database().db.execute(
      `UPDATE organization_members SET role = 'member' WHERE user_id = '${person.userId}' AND org_id = '${org.id}'`,
    );
    const installationId = uniqueId();
    await createInstallation(database().db, installationId, null);
    expect((await setup(installationId, state, person.cookie)).status).toBe(403);
    expect(await linkedOrg(installationId)).toBeNull();
  });

  it("refuses unknown, altered and expired states and links nothing", async () => {
    const { org, person } = await orgWith("admin");
    const installationId = uniqueId();
    await createInstallation(database().db, installationId, null);
    const expired = await issueSetupState(
      database().db,
      { orgId: org.id, userId: person.userId },
      Date.now() - SETUP_STATE_TTL_MS - 1000,
    );
    for (const bad of [randomUUID(), `${expired.state.slice(0, -2)}xx`, expired.state]) {
      expect((await setup(installationId, bad, person.cookie)).status).toBe(401);
    }
    expect((await setup(installationId, "", person.cookie)).status).toBe(400);
    expect(await linkedOrg(installationId)).toBeNull();
  });

  it("cannot claim an installation that sat unlinked before the install was started (the attack)", async () => {
    // Someone installed the App from GitHub's own page: no state, nobody linked it yet.
    const victims = uniqueId();
    await createInstallation(database().db, victims, null);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // A stranger signs up, creates an organization, asks for a link and types the victim's id.
    const attacker = await orgWith("admin");
    const state = await stateFor(attacker.headers);
    const res = await setup(victims, state, attacker.person.cookie);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({
      message: expect.stringContaining("sentinel installations link"),
    });
    expect(await linkedOrg(victims)).toBeNull();
  });

  it("sends the admin to the configured GitHub Enterprise Server's install page", async () => {
    const ghes = createApp({
      handle: database(),
      env: { ...TEST_ENV, GITHUB_API_URL: "https://ghe.example.com/api/v3" },
      queue,
      github: null,
    });
    const { headers } = await orgWith("admin", ghes);
    const res = await call(ghes, "POST", "/api/v1/installations/install-link", { headers });
    const url = new URL((res.body as { url: string }).url);
    expect(`${url.origin}${url.pathname}`).toBe(
      "https://ghe.example.com/apps/sentinel-test/installations/new",
    );
  });

  it("answers 503 with a clear message when the server has no GitHub App", async () => {
    const bare = createApp({
      handle: database(),
      env: { ...TEST_ENV, GITHUB_APP_SLUG: undefined },
      queue,
      github: null,
    });
    const { headers } = await orgWith("admin", bare);
    const res = await call(bare, "POST", "/api/v1/installations/install-link", { headers });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({
      code: "unavailable",
      message: expect.stringContaining("GITHUB_APP_SLUG"),
    });
  });
});

describe("Connect GitHub with GitHub sign-in configured", () => {
  async function withGithubAccount(userId: string, token: string) {
    await database()
      .db.insert(accounts)
      .values({
        id: randomUUID(),
        userId,
        accountId: String(uniqueId()),
        providerId: "github",
        accessToken: token,
      });
  }

  it("links an installation the admin can see on GitHub, asking GitHub with the admin's token", async () => {
    const { org, person, headers } = await orgWith("admin", oauthApp);
    await withGithubAccount(person.userId, "gho_admin");
    await createInstallation(database().db, visible, null);
    const state = await stateFor(headers, oauthApp);
    const res = await setup(visible, state, person.cookie, oauthApp);
    expect(res.status).toBe(302);
    expect(await linkedOrg(visible)).toBe(org.id);
    const asked = github.requests.filter((r) => r.path === "/user/installations");
    expect(asked.at(-1)?.authorization).toMatch(/gho_admin/);
  });

  it("refuses an installation the admin cannot see, and an admin who did not sign in with GitHub", async () => {
    const { person, headers } = await orgWith("admin", oauthApp);
    await withGithubAccount(person.userId, "gho_admin");
    await createInstallation(database().db, foreign, null);
    expect((await setup(foreign, await stateFor(headers, oauthApp), person.cookie, oauthApp)).status).toBe(
      403,
    );

    const plain = await orgWith("admin", oauthApp);
    const res = await setup(foreign, await stateFor(plain.headers, oauthApp), plain.person.cookie, oauthApp);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ message: expect.stringContaining("sign in with GitHub") });
    expect(await linkedOrg(foreign)).toBeNull();
  });
});
