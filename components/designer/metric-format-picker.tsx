"use client";

import { METRIC_FORMAT_KINDS, type MetricFormat } from "@/lib/query/widget-spec";

// How one metric's values read on the embed (never its SQL): a plain number,
// a currency with its ISO 4217 code, a percent of a ratio, or a duration in
// seconds. The spec validates the code; this only edits.

const LABELS: Record<MetricFormat["kind"], string> = { number: "Number", currency: "Currency", percent: "Percent (of a ratio)", duration: "Duration (seconds)" };

/** The metric with this format (none: a plain number, the default). */
export function withFormat<M extends { format?: MetricFormat }>(metric: M, format: MetricFormat | undefined): M {
  const next = { ...metric };
  delete next.format;
  return format ? { ...next, format } : next;
}

type Props = { index: number; format: MetricFormat | undefined; onChange: (format: MetricFormat | undefined) => void };

export function MetricFormatPicker({ index, format, onChange }: Props) {
  const kind = format?.kind ?? "number";
  const choose = (next: MetricFormat["kind"]) => onChange(next === "number" ? undefined : next === "currency" ? { kind: "currency", currency: "EUR" } : { kind: next });
  return (
    <>
      <select aria-label={`Format of metric ${index + 1}`} value={kind} onChange={(e) => choose(e.target.value as MetricFormat["kind"])} data-testid={`metric-format-${index}`}>
        {METRIC_FORMAT_KINDS.map((k) => <option key={k} value={k}>{LABELS[k]}</option>)}
      </select>
      {format?.kind === "currency" && (
        <input
          aria-label={`Currency of metric ${index + 1} (ISO 4217)`}
          value={format.currency}
          maxLength={3}
          size={4}
          placeholder="EUR"
          data-testid={`metric-currency-${index}`}
          onChange={(e) => onChange({ kind: "currency", currency: e.target.value.toUpperCase() })}
        />
      )}
    </>
  );
}
