import { type ComponentProps, Suspense } from "react";
import { preloadable } from "../lazy.tsx";
import { Loading } from "./states.tsx";

// recharts arrives in its own chunk, requested as soon as a page with charts loads (in parallel
// with the page's API calls), so the numbers never wait for it and the charts rarely do. Once the
// chunk is there, a chart renders with its data, without a fallback in between.
const charts = () => import("./charts.tsx");
const LazyAiShare = preloadable(() => charts().then((m) => m.AiShareByToolChart));
const LazyCoverage = preloadable(() => charts().then((m) => m.CoverageChart));
const LazyTier = preloadable(() => charts().then((m) => m.TierChart));
const LazyChurn = preloadable(() => charts().then((m) => m.ChurnByTierChart));
Promise.all([LazyAiShare.preload(), LazyCoverage.preload(), LazyTier.preload(), LazyChurn.preload()]).catch(
  () => {
    // A chart whose chunk failed to load says so where it is drawn, through the error boundary.
  },
);

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

export function ChurnByTierChart(props: ComponentProps<Charts["ChurnByTierChart"]>) {
  return (
    <Suspense fallback={<ChartFallback />}>
      <LazyChurn {...props} />
    </Suspense>
  );
}
