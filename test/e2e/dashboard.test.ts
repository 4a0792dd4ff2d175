import { eq } from "drizzle-orm";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { organizationMembers, organizations, users } from "../../src/server/db/schema/index.ts";
import {
  DEMO_CREDENTIALS,
  GITHUB_APP_SLUG,
  launchChromium,
  openSession,
  type SeededServer,
  type Session,
  screenshot,
  signInByApi,
  startSeededServer,
} from "./harness.ts";

// The dashboard in a real browser against a seeded server: every page, the filters, and the
// actions people take (sign up, sign in, override, API keys, incidents), with no console error.

let seeded: SeededServer;
let browser: Browser;
let base = "";
const sessions: Session[] = [];

beforeAll(async () => {
  seeded = await startSeededServer({ githubAppSlug: GITHUB_APP_SLUG });
  base = seeded.url;
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await seeded?.stop();
});

afterEach(async () => {
  const open = sessions.splice(0);
  const errors = open.flatMap((s) => s.errors.errors);
  await Promise.all(open.map((s) => s.context.close()));
  expect(errors, "console errors and uncaught exceptions in the page").toEqual([]);
});

async function session(): Promise<Session> {
  const s = await openSession(browser, base);
  sessions.push(s);
  return s;
}

async function signedIn(who: "owner" | "viewer"): Promise<Session> {
  const s = await session();
  const { email, password } = DEMO_CREDENTIALS[who];
  await signInByApi(s, base, email, password);
  return s;
}

/** Waits for what an action should cause; if the page shows an error instead, fails with its text. */
async function expectOutcome(page: Page, outcome: Promise<unknown>, action: string): Promise<void> {
  const failed = page
    .getByRole("alert")
    .first()
    .waitFor({ timeout: 30_000 })
    .then(async () => {
      throw new Error(`${action} failed in the page: ${await page.getByRole("alert").first().textContent()}`);
    });
  failed.catch(() => {});
  await Promise.race([outcome, failed]);
}

/** Waits for the page's loading indicators to clear. */
async function settled(page: Page): Promise<void> {
  await page.waitForLoadState("networkidle");
  await page.waitForFunction(
    () => document.querySelectorAll('[role="status"].state-loading').length === 0,
    null,
    {
      timeout: 20_000,
    },
  );
}

/** The overview with its charts drawn (recharts renders SVG surfaces). */
async function overviewRendered(page: Page): Promise<void> {
  await page.getByTestId("dora-tiles").waitFor();
  await page.getByTestId("repository-ranking").waitFor();
  await page.waitForFunction(
    () => document.querySelectorAll("figure.chart svg.recharts-surface").length >= 3,
  );
}

/** The first repository in the overview ranking, and its URL. */
async function firstRepositoryUrl(page: Page): Promise<string> {
  await page.goto("/o/acme");
  const link = page.getByTestId("repository-ranking").locator("a").first();
  await link.waitFor();
  return (await link.getAttribute("href")) ?? "";
}

/** A commit page reached from a repository's recent changes. */
async function openSomeCommit(page: Page): Promise<void> {
  await page.goto(await firstRepositoryUrl(page));
  const commitLink = page.getByTestId("recent-changes").locator("tbody tr td:first-child a").first();
  await commitLink.click();
  await page.getByTestId("commit-files").waitFor();
}

describe("dashboard", () => {
  test("signs in with the form, lands on the overview, and signs out", async () => {
    const { page, errors } = await session();
    // Provoked on purpose: signed out, the app asks who is signed in (401), and a wrong password (401).
    errors.allow(/status of 401 .*\/api\/v1\/me\)$/);
    errors.allow(/status of 401 .*\/api\/auth\/sign-in\/email\)$/);
    await page.goto("/o/acme/incidents");
    await page.waitForURL(/\/sign-in\?next=/);
    await screenshot(page, "01-sign-in");
    await page.getByLabel("Email").fill(DEMO_CREDENTIALS.owner.email);
    await page.getByLabel("Password").fill("wrong-password-123");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/invalid/i);

    await page.getByLabel("Password").fill(DEMO_CREDENTIALS.owner.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    // Back where the person was going.
    await page.waitForURL(/\/o\/acme\/incidents$/);
    await page.getByRole("link", { name: "Overview" }).click();
    await overviewRendered(page);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Overview");

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/sign-in$/);
    await page.goto("/o/acme");
    await page.waitForURL(/\/sign-in\?next=/);
  }, 60_000);

  test("signs up a new person, who creates an organization, then joins another through an invitation", async () => {
    const owner = await signedIn("owner");
    const email = `new.person.${Date.now()}@example.com`;
    const invite = await owner.context.request.post(`${base}/api/v1/invitations`, {
      data: { email, role: "member" },
      headers: { origin: base, "x-sentinel-org": "acme" },
    });
    expect(invite.status(), `POST /api/v1/invitations: ${await invite.text()}`).toBe(201);
    const { acceptUrl } = (await invite.json()) as { acceptUrl: string };

    const { page, errors } = await session();
    await page.goto("/sign-up");
    await page.getByLabel("Name").fill("New Person");
    await page.getByLabel("Work email").fill(email);
    await page.getByLabel("Password").fill("a-long-enough-password");
    await screenshot(page, "02-sign-up");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByText("You are not a member of any organization yet.").waitFor();
    await screenshot(page, "03-no-organization");

    // Without waiting for an invitation, the person creates an organization of their own. A taken
    // handle is refused in the form, with the field to fix focused.
    errors.allow(/status of 409 .*\/api\/v1\/organizations\)$/);
    const create = page.getByRole("form", { name: "Create an organization" });
    await create.getByLabel("Organization name").fill("New Person's Team");
    await create.getByLabel("URL handle (optional)").fill("acme");
    await create.getByRole("button", { name: "Create organization" }).click();
    await expect.poll(() => create.getByRole("alert").textContent()).toContain("already exists");
    expect(
      await create.getByLabel("URL handle (optional)").evaluate((e) => e === document.activeElement),
    ).toBe(true);
    await screenshot(page, "03b-create-organization-taken");
    const slug = `team-${Date.now().toString(36)}`;
    await create.getByLabel("URL handle (optional)").fill(slug);
    await create.getByRole("button", { name: "Create organization" }).click();
    await expectOutcome(page, page.waitForURL(new RegExp(`/o/${slug}$`)), "POST /api/v1/organizations");
    await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
    await page.getByText("New Person's Team · how much of your code AI writes").waitFor();
    // A new organization has nothing to chart yet, and says how to get data in.
    await page.getByText("No activity in this window.").waitFor();
    await page.getByTestId("dora-tiles").waitFor();
    await page.getByText("No repository has changes in this window.").waitFor();
    expect(await page.getByLabel("Organization").inputValue()).toBe(slug);
    await settled(page);
    await screenshot(page, "03c-new-organization-overview");

    await page.goto(new URL(acceptUrl, base).pathname + new URL(acceptUrl, base).search);
    await page.getByRole("button", { name: "Join organization" }).click();
    await page.waitForURL(/\/o\/acme$/);
    await overviewRendered(page);
  }, 60_000);

  test("shows every page with the seeded data", async () => {
    const { page } = await signedIn("owner");
    await page.goto("/o/acme");
    await overviewRendered(page);
    await settled(page);
    expect(await page.getByTestId("repository-ranking").locator("tbody tr").count()).toBeGreaterThan(0);
    // Churn (computed by the line ledger over the seeded history) and the code base today.
    await page.getByTestId("churn-table").waitFor();
    expect(await page.getByTestId("churn-table").locator("tbody tr").count()).toBe(3);
    await page.getByTestId("survival-panel").getByRole("figure").first().waitFor();
    expect(await page.getByTestId("code-base-today").textContent()).toMatch(/written by AI/);
    await screenshot(page, "04-overview");

    await page.getByRole("link", { name: "Repositories", exact: true }).click();
    await page.getByTestId("repositories-page").locator("tbody tr").first().waitFor();
    await settled(page);
    await screenshot(page, "05-repositories");

    await page.goto(await firstRepositoryUrl(page));
    await page.getByTestId("recent-changes").waitFor();
    await page.getByTestId("recent-events").waitFor();
    await page.getByTestId("top-ai-files").waitFor();
    await page.getByTestId("churn-table").waitFor();
    await page.getByTestId("code-base-today").waitFor();
    await settled(page);
    await screenshot(page, "06-repository");

    await page.getByTestId("recent-changes").locator("tbody tr td:first-child a").first().click();
    await page.getByTestId("commit-files").waitFor();
    // Every analysed file of a seeded commit has its added lines' fate at the tip.
    await page
      .getByTestId("file-survival")
      .filter({ hasText: /\d+ of \d+ \w+ lines/ })
      .first()
      .waitFor();
    await page.locator(".signals-row summary").first().click();
    await settled(page);
    await screenshot(page, "07-commit");

    await page.getByRole("link", { name: "Incidents" }).click();
    await page.getByTestId("incident-list").waitFor();
    await page.getByTestId("incident-timeline").waitFor();
    await settled(page);
    await screenshot(page, "08-incidents");

    // The incident whose deploy is linked: the page walks to its commits and AI-written files.
    const linked = page
      .getByTestId("incident-list")
      .locator("tbody tr")
      .filter({ has: page.locator("td code") })
      .first();
    await linked.locator("a").first().click();
    await page.getByTestId("incident-chain").waitFor();
    await page.getByTestId("incident-chain").locator(".chain-commit").first().waitFor();
    await settled(page);
    await screenshot(page, "09-incident");

    await page.getByRole("link", { name: "Settings" }).click();
    await page.getByTestId("members").waitFor();
    await settled(page);
    await screenshot(page, "10-settings");
    // Connect GitHub leaves for the App's install page with a state bound to this organization;
    // GitHub is not reachable here, so the navigation is answered locally.
    await page.route("https://github.com/**", (route) =>
      route.fulfill({ status: 200, contentType: "text/html", body: "<title>GitHub</title>" }),
    );
    const leaving = page.waitForRequest((r) => r.url().startsWith("https://github.com/"));
    await page.getByRole("button", { name: "Connect GitHub" }).click();
    const install = new URL((await leaving).url());
    expect(`${install.origin}${install.pathname}`).toBe(
      `https://github.com/apps/${GITHUB_APP_SLUG}/installations/new`,
    );
    // A random single-use state (32 bytes, base64url), kept server-side.
    expect(install.searchParams.get("state")).toMatch(/^[\w-]{43}$/);
  }, 120_000);

  test("filters the repository page, and the filter survives in a shared URL", async () => {
    const { page } = await signedIn("owner");
    await page.goto(await firstRepositoryUrl(page));
    await page.getByTestId("recent-changes").waitFor();
    await page.locator('select[name="tier"]').selectOption("T4_novel");
    await page.waitForURL(/tier=T4_novel/);
    await settled(page);
    // A second control changes the URL without dropping the first one's filter.
    await page.getByRole("group", { name: "Group by" }).getByText("Month").click();
    await page.waitForURL(
      (url) => url.searchParams.get("period") === "month" && url.searchParams.get("tier") === "T4_novel",
    );
    const groupBy = page.getByRole("group", { name: "Group by" });
    await expect.poll(() => groupBy.getByRole("radio", { name: "Month" }).isChecked()).toBe(true);
    // Two changes in one go, before React has rendered the first: each must start from the URL
    // as it is, not as the page last rendered it.
    await page.evaluate(() => {
      const week = document.querySelector<HTMLInputElement>('fieldset input[type="radio"][value="week"]');
      const confidence = document.querySelector<HTMLSelectElement>('select[name="minConfidence"]');
      if (!week || !confidence) throw new Error("the Group by control or the confidence filter is missing");
      week.click();
      confidence.value = "0.5";
      confidence.dispatchEvent(new Event("change", { bubbles: true }));
    });
    await page.waitForURL(
      (url) =>
        url.searchParams.get("period") === "week" &&
        url.searchParams.get("minConfidence") === "0.5" &&
        url.searchParams.get("tier") === "T4_novel",
    );
    await expect.poll(() => groupBy.getByRole("radio", { name: "Week" }).isChecked()).toBe(true);
    await groupBy.getByText("Month").click();
    await page.locator('select[name="minConfidence"]').selectOption("");
    await page.waitForURL(
      (url) =>
        url.searchParams.get("period") === "month" &&
        !url.searchParams.has("minConfidence") &&
        url.searchParams.get("tier") === "T4_novel",
    );
    await settled(page);
    // A reload keeps both.
    await page.reload();
    await page.getByTestId("recent-changes").waitFor();
    expect(await page.locator('select[name="tier"]').inputValue()).toBe("T4_novel");
    expect(await groupBy.getByRole("radio", { name: "Month" }).isChecked()).toBe(true);
    expect(new URL(page.url()).searchParams.get("period")).toBe("month");
    expect(new URL(page.url()).searchParams.get("tier")).toBe("T4_novel");
    const shared = page.url();

    const other = await signedIn("owner");
    await other.page.goto(shared);
    const rows = other.page.getByTestId("recent-changes").locator("tbody tr");
    await rows.first().waitFor();
    // The table may paint before the filtered answer arrives; what the shared URL must settle on
    // is T4 rows only.
    await expect
      .poll(async () => [...new Set(await rows.locator("td:nth-child(3)").allTextContents())], {
        timeout: 20_000,
      })
      .toEqual(["T4 novel"]);
    expect(await other.page.locator('select[name="tier"]').inputValue()).toBe("T4_novel");
    await settled(other.page);
    await screenshot(other.page, "11-repository-filtered");
  }, 60_000);

  test("overrides a file's attribution with a reason", async () => {
    const { page } = await signedIn("owner");
    await openSomeCommit(page);
    const firstRow = page.getByTestId("commit-files").locator("tbody tr").first();
    const path = (await firstRow.locator("td.path").textContent()) ?? "";
    await firstRow.getByRole("button", { name: /^Override/ }).click();
    const form = page.getByRole("form", { name: "Override attribution" });
    await form.getByText("Written by a person").click();
    await form.getByLabel("Reason").fill("Pair-programmed by hand; the trailer was added by a template.");
    await screenshot(page, "12-override-form");
    await form.getByRole("button", { name: "Save override" }).click();
    await expectOutcome(page, form.waitFor({ state: "detached" }), "POST /api/v1/attributions/override");

    const row = page.getByTestId("commit-files").locator("tbody tr").filter({ hasText: path }).first();
    await expect.poll(() => row.textContent()).toContain("manual override");
    await page.locator(".signals-row summary").first().click();
    await page.getByText(/Pair-programmed by hand/).waitFor();
    await screenshot(page, "13-commit-overridden");
  }, 60_000);

  test("creates an API key that is shown once, then revokes it", async () => {
    const { page } = await signedIn("owner");
    await page.goto("/o/acme/settings#api-keys");
    const form = page.getByRole("form", { name: "Create an API key" });
    await form.getByLabel("Name").fill("e2e deploy reporter");
    await form.getByLabel("incidents:write").check();
    await form.getByRole("button", { name: "Create key" }).click();
    await expectOutcome(page, page.getByTestId("new-api-key").waitFor(), "POST /api/v1/api-keys");
    const key = await page.getByTestId("new-api-key").inputValue();
    expect(key).toMatch(/^snt_live_/);
    await screenshot(page, "14-api-key-created");

    // The key works, then stops working once revoked.
    const asKey = await page.request.get(`${base}/api/v1/organization`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(asKey.status()).toBe(200);

    await page.reload();
    await page.getByTestId("api-keys").waitFor();
    expect(await page.getByTestId("new-api-key").count()).toBe(0);
    const row = page.getByTestId("api-keys").locator("tbody tr").filter({ hasText: "e2e deploy reporter" });
    await row.getByRole("button", { name: "Revoke e2e deploy reporter" }).click();
    await expect.poll(() => row.textContent()).toContain("revoked");
    const revoked = await page.request.get(`${base}/api/v1/organization`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(revoked.status()).toBe(401);
  }, 60_000);

  test("creates an incident, marks it identified, and resolves it", async () => {
    const { page } = await signedIn("owner");
    await page.goto("/o/acme/incidents");
    await page.getByRole("button", { name: "New incident" }).click();
    const form = page.getByRole("form", { name: "New incident" });
    await form.getByLabel("Title").fill("E2E: checkout answers 500");
    await form.getByLabel("Severity").selectOption("sev1");
    await form.getByLabel("Repository").selectOption({ index: 1 });
    await form.getByLabel("Description").fill("Created by the end-to-end test.");
    await screenshot(page, "15-incident-form");
    await form.getByRole("button", { name: "Create incident" }).click();
    await expectOutcome(
      page,
      page.waitForURL(/\/o\/acme\/incidents\/[0-9a-f-]{36}$/),
      "POST /api/v1/incidents",
    );
    await page.getByRole("heading", { name: /E2E: checkout answers 500/ }).waitFor();
    await page.getByRole("button", { name: "Mark identified" }).click();
    await page.getByRole("button", { name: "Resolve" }).click();
    await page.getByRole("button", { name: "Reopen" }).waitFor();
    const timeline = page.getByTestId("incident-status-timeline");
    await expect
      .poll(() => timeline.locator("li").allTextContents())
      .toEqual([
        expect.stringContaining("investigating"),
        expect.stringContaining("identified"),
        expect.stringContaining("resolved"),
      ]);
    await settled(page);
    await screenshot(page, "16-incident-resolved");

    await page.goto("/o/acme/incidents?status=resolved");
    await page.getByTestId("incident-list").getByText("E2E: checkout answers 500").waitFor();
  }, 60_000);

  test("a viewer sees the data but no override button, incident form or API keys", async () => {
    const { page } = await signedIn("viewer");
    await openSomeCommit(page);
    await page.getByText("Viewers cannot override verdicts.").waitFor();
    expect(await page.getByRole("button", { name: /Override/ }).count()).toBe(0);
    await screenshot(page, "17-commit-as-viewer");

    await page.goto("/o/acme/incidents");
    await page.getByTestId("incident-list").waitFor();
    expect(await page.getByRole("button", { name: "New incident" }).count()).toBe(0);

    await page.goto("/o/acme/settings");
    await page.getByTestId("members").waitFor();
    await settled(page);
    expect(await page.getByRole("form", { name: "Create an API key" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Connect GitHub" }).count()).toBe(0);
    await screenshot(page, "18-settings-as-viewer");
  }, 60_000);

  test("switches organization from the header, keeping the section", async () => {
    const { db } = seeded.handle;
    const [owner] = await db
      .select({ id: users.id })
      .from(users)
      .where(eq(users.email, DEMO_CREDENTIALS.owner.email));
    const [globex] = await db
      .select({ id: organizations.id })
      .from(organizations)
      .where(eq(organizations.slug, "globex"));
    if (!owner || !globex) throw new Error("seed data missing the acme owner or globex");
    await db
      .insert(organizationMembers)
      .values({ orgId: globex.id, userId: owner.id, role: "viewer" })
      .onConflictDoNothing();

    const { page } = await signedIn("owner");
    await page.goto("/o/acme/incidents");
    await page.getByTestId("incident-list").waitFor();
    await page.getByLabel("Organization").selectOption("globex");
    await page.waitForURL(/\/o\/globex\/incidents$/);
    await page.getByRole("link", { name: "Overview" }).click();
    await overviewRendered(page);
    await settled(page);
    await screenshot(page, "19-overview-globex");

    // An organization the person does not belong to is a clear page, not a crash.
    await page.goto("/o/not-a-member-org");
    await page.getByText("You are not a member of “not-a-member-org”.").waitFor();
  }, 60_000);
});
