import { type ComponentProps, lazy, Suspense } from "react";
import { Loading } from "./states.tsx";

// recharts arrives in its own chunk after the page's numbers are on screen.
const charts = () => import("./charts.tsx");
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
