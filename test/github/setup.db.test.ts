import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { githubInstallations } from "../../src/server/db/schema/index.ts";
import { createSetupState, SETUP_STATE_TTL_MS } from "../../src/server/github/setup-state.ts";
import { createApp } from "../../src/server/http/app.ts";
import { type Queue, startQueue } from "../../src/server/jobs/queue.ts";
import {
  addMember,
  call,
  makeOrg,
  ORIGIN,
  session,
  signUp,
  TEST_ENV,
  type TestApp,
  unique,
} from "../api/helpers.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { createInstallation, uniqueId } from "./helpers.ts";

// "Connect GitHub": an admin asks for an install link, GitHub sends the browser back to the setup
// URL with its state, and the new installation is linked to the admin's organization — and to no
// other, whatever the state says once altered.

vi.setConfig({ hookTimeout: 120_000, testTimeout: 60_000 });

const database = useTestDatabase();
let queue: Queue;
let app: TestApp;

beforeAll(async () => {
  queue = await startQueue(database(), { supervise: false });
  app = createApp({ handle: database(), env: TEST_ENV, queue });
});

afterAll(async () => {
  await queue?.stop();
});

async function orgWith(role: "admin" | "member") {
  const org = await makeOrg(database().db);
  const person = await signUp(app, `${unique(role)}@example.com`);
  await addMember(database().db, org.id, person.userId, role);
  return { org, headers: session(person.cookie, org.slug) };
}

async function installLink(headers: Record<string, string>) {
  return call(app, "POST", "/api/v1/installations/install-link", { headers });
}

async function setup(installationId: number, state: string) {
  const query = new URLSearchParams({
    installation_id: String(installationId),
    state,
    setup_action: "install",
  });
  return app.request(`${ORIGIN}/api/github/setup?${query}`);
}

async function linkedOrg(installationId: number): Promise<string | null | undefined> {
  const [row] = await database()
    .db.select({ orgId: githubInstallations.orgId })
    .from(githubInstallations)
    .where(eq(githubInstallations.installationId, installationId));
  return row?.orgId;
}

describe("Connect GitHub", () => {
  it("gives an admin the App's install page with a state that links the installation to their organization", async () => {
    const { org, headers } = await orgWith("admin");
    const res = await installLink(headers);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = res.body as { url: string; expiresAt: string };
    const url = new URL(body.url);
    expect(`${url.origin}${url.pathname}`).toBe("https://github.com/apps/sentinel-test/installations/new");
    expect(new Date(body.expiresAt).getTime() - Date.now()).toBeGreaterThan(SETUP_STATE_TTL_MS - 60_000);

    const installationId = uniqueId();
    await createInstallation(database().db, installationId, null);
    const back = await setup(installationId, url.searchParams.get("state") ?? "");
    expect(back.status).toBe(302);
    expect(back.headers.get("location")).toBe(`/settings?github_installation=${installationId}`);
    expect(await linkedOrg(installationId)).toBe(org.id);
  });

  it("refuses members: only admins and owners connect GitHub", async () => {
    const { headers } = await orgWith("member");
    const res = await installLink(headers);
    expect(res.status).toBe(403);
  });

  it("refuses an altered, foreign or expired state and links nothing", async () => {
    const { org, headers } = await orgWith("admin");
    const state =
      new URL(((await installLink(headers)).body as { url: string }).url).searchParams.get("state") ?? "";
    const other = await makeOrg(database().db);
    const installationId = uniqueId();
    await createInstallation(database().db, installationId, null);
    const forged = [
      state.replace(org.id, other.id),
      `${state.slice(0, -2)}xx`,
      createSetupState("another-server-secret-another-server-secret", org.id),
      createSetupState(TEST_ENV.BETTER_AUTH_SECRET ?? "", org.id, Date.now() - SETUP_STATE_TTL_MS - 1000),
      "",
    ];
    for (const bad of forged) {
      const res = await setup(installationId, bad);
      expect(res.status === 401 || res.status === 400).toBe(true);
    }
    expect(await linkedOrg(installationId)).toBeNull();
  });

  it("answers 503 with a clear message when the server has no GitHub App", async () => {
    const bare = createApp({
      handle: database(),
      env: { ...TEST_ENV, GITHUB_APP_SLUG: undefined },
      queue,
    });
    const org = await makeOrg(database().db);
    const person = await signUp(bare, `${unique("admin")}@example.com`);
    await addMember(database().db, org.id, person.userId, "admin");
    const res = await call(bare, "POST", "/api/v1/installations/install-link", {
      headers: session(person.cookie, org.slug),
    });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({
      code: "unavailable",
      message: expect.stringContaining("GITHUB_APP_SLUG"),
    });
  });
});
