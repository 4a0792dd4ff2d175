/** Exit codes, documented in `sentinel --help` and docs/cli.md. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  unavailable: 4,
  /** Not a git repository, an empty one, or a range git cannot read (`sentinel analyze`). */
  badRepository: 5,
  /** `sentinel check`: a policy set to "failure" is not met. */
  policyFailed: 6,
} as const;

/** Bad arguments or input the user can fix; printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}
