/** The environment a child process (git, a build) inherits: ours, passed through untouched. */
export function inheritedEnvironment(): NodeJS.ProcessEnv {
  return { ...process.env };
}
