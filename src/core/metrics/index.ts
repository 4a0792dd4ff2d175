export * from "./churn.ts";
export * from "./deploys.ts";
export * from "./dora.ts";
export * from "./facts.ts";
export * from "./periods.ts";
export * from "./rollup.ts";
export * from "./stats.ts";
