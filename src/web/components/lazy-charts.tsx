import { type ComponentProps, lazy, Suspense } from "react";
import { Loading } from "./states.tsx";

// recharts arrives in its own chunk, requested as soon as a page with charts loads (in parallel
// with the page's API calls), so the numbers never wait for it and the charts rarely do.
let chartsModule: Promise<typeof import("./charts.tsx")> | undefined;
export const charts = () => {
  chartsModule ??= import("./charts.tsx");
  return chartsModule;
};
void charts();
const LazyAiShare = lazy(() => charts().then((m) => ({ default: m.AiShareByToolChart })));
const LazyCoverage = lazy(() => charts().then((m) => ({ default: m.CoverageChart })));
const LazyTier = lazy(() => charts().then((m) => ({ default: m.TierChart })));

type Charts = typeof import("./charts.tsx");

function ChartFallback() {
  return (
    <div className="chart-placeholder">
      <Loading label="Drawing chart…" />
    </div>
  );
}

export function AiShareByToolChart(props: ComponentProps<Charts["AiShareByToolChart"]>) {
  return (
    <Suspense fallback={<ChartFallback />}>
      <LazyAiShare {...props} />
    </Suspense>
  );
}

export function CoverageChart(props: ComponentProps<Charts["CoverageChart"]>) {
  return (
    <Suspense fallback={<ChartFallback />}>
      <LazyCoverage {...props} />
    </Suspense>
  );
}

export function TierChart(props: ComponentProps<Charts["TierChart"]>) {
  return (
    <Suspense fallback={<ChartFallback />}>
      <LazyTier {...props} />
    </Suspense>
  );
}
