import { type ReactNode, useEffect, useRef } from "react";
import { formatPercent, tierLabel } from "../format.ts";

export function PageHeader({
  title,
  subtitle,
  actions,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle ? <p className="muted">{subtitle}</p> : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </header>
  );
}

export function Card({
  title,
  children,
  actions,
  className,
  id,
}: {
  title?: ReactNode;
  children: ReactNode;
  actions?: ReactNode;
  className?: string;
  id?: string;
}) {
  const headingId = id ? `${id}-title` : undefined;
  return (
    <section className={`card ${className ?? ""}`} aria-labelledby={headingId} id={id}>
      {title || actions ? (
        <div className="card-header">
          {title ? <h2 id={headingId}>{title}</h2> : <span />}
          {actions}
        </div>
      ) : null}
      {children}
    </section>
  );
}

export function Badge({ tone = "neutral", children }: { tone?: string; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

export function TierBadge({ tier }: { tier: string }) {
  return <Badge tone={tier.slice(0, 2).toLowerCase()}>{tierLabel(tier)}</Badge>;
}

export function SeverityBadge({ severity }: { severity: string }) {
  return <Badge tone={severity}>{severity.toUpperCase()}</Badge>;
}

export function StatusBadge({ status }: { status: string }) {
  return <Badge tone={`status-${status}`}>{status}</Badge>;
}

/** A confidence as a bar and a number, readable without colour. */
export function ConfidenceMeter({ value }: { value: number | null | undefined }) {
  if (value === null || value === undefined) return <span className="muted">—</span>;
  const tone = value >= 0.7 ? "high" : value >= 0.4 ? "mid" : "low";
  return (
    <span className="meter" title={`AI confidence ${formatPercent(value)}`}>
      <span className="meter-track" aria-hidden="true">
        <span className={`meter-fill meter-${tone}`} style={{ width: `${Math.round(value * 100)}%` }} />
      </span>
      <span className="meter-value">{formatPercent(value)}</span>
    </span>
  );
}

/** Added lines split into AI, human and unknown, as a small stacked bar. */
export function LineSplit({ ai, human, unknown }: { ai: number; human: number; unknown: number }) {
  const total = ai + human + unknown;
  const pct = (n: number) => (total > 0 ? `${(n / total) * 100}%` : "0%");
  return (
    <span className="line-split" title={`${ai} AI · ${human} human · ${unknown} unknown`}>
      <span className="split-bar" aria-hidden="true">
        <span className="split-ai" style={{ width: pct(ai) }} />
        <span className="split-human" style={{ width: pct(human) }} />
        <span className="split-unknown" style={{ width: pct(unknown) }} />
      </span>
      <span className="small">
        {ai} AI · {human} human{unknown ? ` · ${unknown} ?` : ""}
      </span>
    </span>
  );
}

/** Focus for a form the person just opened, so keyboard users land in it. */
export function useFocusOnMount<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return ref;
}
