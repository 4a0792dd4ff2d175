// Responses in the shapes GitHub's REST API returns (recorded from api.github.com, trimmed to the
// fields Sentinel reads, plus a few it ignores), built relative to "now" so a backfill window
// always covers them.

export interface FakeFile {
  filename: string;
  status: "added" | "modified" | "removed" | "renamed";
  additions: number;
  deletions: number;
  changes: number;
  patch?: string;
}

export interface FakeCommit {
  sha: string;
  message: string;
  author: { name: string; email: string; date: string; login: string | null };
  parents: string[];
  files: FakeFile[];
}

export interface FakePull {
  number: number;
  title: string;
  body: string | null;
  user: { login: string; type: "User" | "Bot" };
  head: { ref: string; sha: string };
  base: { ref: string };
  labels: { name: string }[];
  state: "open" | "closed";
  created_at: string;
  updated_at: string;
  merged_at: string | null;
  merge_commit_sha: string | null;
  commits: string[];
  /** Reviews as GET /pulls/{n}/reviews lists them, oldest first. */
  reviews?: { id: number; user: { login: string }; state: string; commit_id: string; submitted_at: string }[];
}

export interface FakeDeployment {
  id: number;
  sha: string;
  ref: string;
  environment: string;
  created_at: string;
  statuses: { id: number; state: string; environment: string; created_at: string; target_url: string }[];
}

export interface FakeRepo {
  id: number;
  owner: string;
  name: string;
  default_branch: string;
  private: boolean;
  /** Newest first, as GET /repos/{o}/{r}/commits lists them. */
  commits: FakeCommit[];
  pulls: FakePull[];
  deployments: FakeDeployment[];
  /** A bare repository on disk: when set, the fake serves it over git's smart HTTP protocol. */
  gitDir?: string;
}

export interface FakeHookDelivery {
  id: number;
  guid: string;
  delivered_at: string;
  redelivery: boolean;
  duration: number;
  status: string;
  status_code: number;
  event: string;
  action: string | null;
  installation_id: number | null;
  repository_id: number | null;
}

export interface FakeInstallation {
  id: number;
  account: { login: string; id: number; type: "Organization" | "User" };
  repository_selection: "all" | "selected";
}

export interface FakeGithubData {
  installations: FakeInstallation[];
  repos: FakeRepo[];
  hookDeliveries: FakeHookDelivery[];
  /** OAuth user tokens (`gho_…`) and the installation ids each person can see. */
  userInstallations?: Record<string, number[]>;
  /** Team members by `org/team-slug`, for GET /orgs/{org}/teams/{team}/memberships/{user}. */
  teams?: Record<string, string[]>;
}

const DAY = 86_400_000;

/** A 40-hex sha derived from a label, so fixtures are stable and readable in test failures. */
export function fakeSha(label: string): string {
  let h = 0x811c9dc5;
  let out = "";
  for (let round = 0; out.length < 40; round++) {
    for (const ch of `${label}:${round}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, "0");
  }
  return out.slice(0, 40);
}

function files(count: number, prefix: string): FakeFile[] {
  return Array.from({ length: count }, (_, i) => ({
    filename: `${prefix}/file-${String(i).padStart(4, "0")}.ts`,
    status: "added" as const,
    additions: 3,
    deletions: 0,
    changes: 3,
    patch: `@@ -0,0 +1,3 @@\n+export const value${i} = ${i};\n+// generated\n+export default value${i};`,
  }));
}

/** The default data set: one organization installation, one repository with recent history. */
export function defaultFixtures(now = Date.now()): FakeGithubData {
  const iso = (daysAgo: number) => new Date(now - daysAgo * DAY).toISOString().replace(/\.\d{3}Z$/, "Z");
  const commits: FakeCommit[] = [];
  // Newest first; the oldest is outside any 90-day window.
  const plan = [
    {
      label: "c5",
      daysAgo: 1,
      files: 2,
      message: "Fix flaky retry in payment client\n\nCo-authored-by: Claude <noreply@anthropic.com>",
    },
    { label: "c4", daysAgo: 3, files: 350, message: "Generate API client (350 files)" },
    { label: "c3", daysAgo: 5, files: 1, message: "Merge pull request #7 from octo-org/feature" },
    { label: "c2", daysAgo: 8, files: 4, message: "Add checkout page" },
    { label: "c1", daysAgo: 12, files: 1, message: "Initial commit" },
    { label: "c0", daysAgo: 200, files: 1, message: "Ancient history" },
  ];
  plan.forEach((c, i) => {
    const parent = plan[i + 1];
    commits.push({
      sha: fakeSha(c.label),
      message: c.message,
      author: { name: "Mona Lisa", email: "mona@example.com", date: iso(c.daysAgo), login: "mona" },
      parents: parent ? [fakeSha(parent.label)] : [],
      files: files(c.files, c.label),
    });
  });
  const pulls: FakePull[] = [
    {
      number: 7,
      title: "Checkout page",
      body: "Adds the checkout page.",
      user: { login: "mona", type: "User" },
      head: { ref: "feature", sha: fakeSha("c2") },
      base: { ref: "main" },
      labels: [{ name: "frontend" }],
      state: "closed",
      created_at: iso(9),
      updated_at: iso(5),
      merged_at: iso(5),
      merge_commit_sha: fakeSha("c3"),
      commits: [fakeSha("c2")],
    },
    {
      number: 8,
      title: "Abandoned idea",
      body: null,
      user: { login: "dependabot[bot]", type: "Bot" },
      head: { ref: "bump", sha: fakeSha("x8") },
      base: { ref: "main" },
      labels: [],
      state: "closed",
      created_at: iso(6),
      updated_at: iso(4),
      merged_at: null,
      merge_commit_sha: null,
      commits: [],
    },
  ];
  const deployments: FakeDeployment[] = [
    {
      id: 5001,
      sha: fakeSha("c5"),
      ref: "main",
      environment: "production",
      created_at: iso(1),
      statuses: [
        {
          id: 7002,
          state: "success",
          environment: "production",
          created_at: iso(0.9),
          target_url: "https://ci.example.com/7002",
        },
        {
          id: 7001,
          state: "in_progress",
          environment: "production",
          created_at: iso(0.95),
          target_url: "https://ci.example.com/7001",
        },
      ],
    },
    {
      id: 5000,
      sha: fakeSha("c3"),
      ref: "main",
      environment: "staging",
      created_at: iso(5),
      statuses: [
        {
          id: 7000,
          state: "failure",
          environment: "staging",
          created_at: iso(4.9),
          target_url: "https://ci.example.com/7000",
        },
      ],
    },
  ];
  return {
    installations: [
      {
        id: 4242,
        account: { login: "octo-org", id: 9001, type: "Organization" },
        repository_selection: "selected",
      },
    ],
    repos: [
      {
        id: 900001,
        owner: "octo-org",
        name: "sentinel-demo",
        default_branch: "main",
        private: true,
        commits,
        pulls,
        deployments,
      },
    ],
    hookDeliveries: [
      // A delivery that failed two days ago and was never retried: the reconciler asks for it.
      hook(1001, "guid-failed-recent", iso(2), 500, "push", null, false),
      // Failed, then redelivered successfully: nothing to do.
      hook(1002, "guid-recovered", iso(1.5), 502, "pull_request", "opened", false),
      hook(1003, "guid-recovered", iso(1.4), 202, "pull_request", "opened", true),
      // Succeeded.
      hook(1004, "guid-ok", iso(1), 202, "push", null, false),
      // Failed five days ago: beyond GitHub's three-day redelivery window.
      hook(1005, "guid-failed-old", iso(5), 500, "push", null, false),
    ],
  };
}

function hook(
  id: number,
  guid: string,
  at: string,
  statusCode: number,
  event: string,
  action: string | null,
  redelivery: boolean,
): FakeHookDelivery {
  return {
    id,
    guid,
    delivered_at: at,
    redelivery,
    duration: 0.12,
    status: statusCode < 300 ? "OK" : "Internal Server Error",
    status_code: statusCode,
    event,
    action,
    installation_id: 4242,
    repository_id: 900001,
  };
}
