import type { ReactNode } from "react";
import { useSearchParams } from "react-router";
import { daysAgo, isoDay } from "../format.ts";

// Filters live in the query string, so a filtered page is a link someone else can open.

/**
 * The query string as it is now. What react-router hands to `setSearchParams(prev => …)` is the
 * query string of the last render, not the URL: navigations render in a transition, so a change
 * made before React has rendered the previous one (two controls in a row, a slow render) would
 * start from a stale copy and drop the other change. The browser's URL is updated synchronously
 * on every navigation, so it is always the current one.
 */
function currentSearchParams(): URLSearchParams {
  return new URLSearchParams(window.location.search);
}

export function useQueryParams() {
  const [params, setParams] = useSearchParams();
  const get = (key: string, fallback = "") => params.get(key) ?? fallback;
  /** Merges `changes` into the current query string; null or "" removes a key. */
  const set = (changes: Record<string, string | null>) => {
    const next = currentSearchParams();
    for (const [key, value] of Object.entries(changes)) {
      if (value === null || value === "") next.delete(key);
      else next.set(key, value);
    }
    setParams(next, { replace: true });
  };
  return { params, get, set };
}

export const RANGES = [
  { days: "30", label: "Last 30 days" },
  { days: "90", label: "Last 90 days" },
  { days: "180", label: "Last 6 months" },
  { days: "365", label: "Last 12 months" },
] as const;
export const PERIODS = ["day", "week", "month"] as const;
export type Period = (typeof PERIODS)[number];

/** The period and date window of a metrics page, from ?period=&days= (or explicit ?from=&to=). */
export function useMetricsWindow() {
  const { get, set } = useQueryParams();
  const periodParam = get("period", "week");
  const period: Period = (PERIODS as readonly string[]).includes(periodParam)
    ? (periodParam as Period)
    : "week";
  const days = get("days", "90");
  const from = get("from") || daysAgo(Number(days) || 90);
  const to = get("to") || isoDay(new Date());
  return { period, days, from, to, set };
}

export function SegmentedControl<T extends string>({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: T;
  options: readonly { value: T; label: string }[];
  onChange: (value: T) => void;
}) {
  return (
    <fieldset className="segmented">
      <legend className="visually-hidden">{label}</legend>
      {options.map((option) => (
        <label key={option.value} className={option.value === value ? "active" : ""}>
          <input
            type="radio"
            name={label}
            value={option.value}
            checked={option.value === value}
            onChange={() => onChange(option.value)}
          />
          {option.label}
        </label>
      ))}
    </fieldset>
  );
}

/** The period switch and date range shared by the overview and repository pages. */
export function WindowControls({ showPeriod = true }: { showPeriod?: boolean }) {
  const { period, days, set } = useMetricsWindow();
  return (
    <div className="toolbar">
      {showPeriod ? (
        <SegmentedControl
          label="Group by"
          value={period}
          options={PERIODS.map((p) => ({ value: p, label: p[0]?.toUpperCase() + p.slice(1) }))}
          onChange={(value) => set({ period: value })}
        />
      ) : null}
      <label className="field-inline">
        <span className="visually-hidden">Date range</span>
        <select value={days} onChange={(event) => set({ days: event.target.value, from: null, to: null })}>
          {RANGES.map((r) => (
            <option key={r.days} value={r.days}>
              {r.label}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}

export function FilterBar({ children, onClear }: { children: ReactNode; onClear?: () => void }) {
  return (
    // biome-ignore lint/a11y/useSemanticElements: a search landmark around filter controls
    <div className="filter-bar" role="search">
      {children}
      {onClear ? (
        <button type="button" className="button button-ghost" onClick={onClear}>
          Clear filters
        </button>
      ) : null}
    </div>
  );
}
