import manifest from "../../package.json" with { type: "json" };

/** Sentinel's release, read from package.json so the health check, `--version` and documents agree. */
export const SENTINEL_VERSION: string = manifest.version;
