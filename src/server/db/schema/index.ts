export * from "./auth.ts";
export * from "./enums.ts";
export * from "./github.ts";
export * from "./incidents.ts";
export * from "./organizations.ts";
export * from "./relations.ts";
export * from "./telemetry.ts";
