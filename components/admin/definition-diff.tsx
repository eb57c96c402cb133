import type { DefinitionDiff, FieldChange } from "@/lib/dashboards/diff";
import { isEmptyDiff } from "@/lib/dashboards/diff";

// A dashboard diff in words: widgets added, removed and changed, each changed
// field as its old value struck out and its new one beside it (SQL as code).

function Change({ change }: { change: FieldChange }) {
  return (
    <li data-field={change.field}>
      <span className="diff-field">{change.field}:</span>{" "}
      {change.code ? (
        <div className="diff-code">
          <pre className="mono diff-old" aria-label="before">{change.from}</pre>
          <pre className="mono diff-new" aria-label="after">{change.to}</pre>
        </div>
      ) : (
        <>
          <del className="diff-old">{change.from}</del> → <ins className="diff-new">{change.to}</ins>
        </>
      )}
    </li>
  );
}

export function DefinitionDiffView({ diff, empty = "No differences.", testId }: { diff: DefinitionDiff; empty?: string; testId?: string }) {
  if (isEmptyDiff(diff)) return <p data-testid={testId}>{empty}</p>;
  return (
    <ul className="diff-list" data-testid={testId}>
      {diff.added.map((w) => (
        <li key={`a-${w.id}`} data-widget={w.id}>
          <span className="badge badge-ok">added</span> <strong>{w.title}</strong>: {w.summary}
        </li>
      ))}
      {diff.removed.map((w) => (
        <li key={`r-${w.id}`} data-widget={w.id}>
          <span className="badge badge-error">removed</span> <strong>{w.title}</strong>
        </li>
      ))}
      {diff.changed.map((w) => (
        <li key={`c-${w.id}`} data-widget={w.id}>
          <span className="badge">changed</span> <strong>{w.title}</strong>
          <ul>{w.changes.map((c) => <Change key={c.field} change={c} />)}</ul>
        </li>
      ))}
      {diff.dashboard.length > 0 && (
        <li>
          <span className="badge">dashboard</span>
          <ul>{diff.dashboard.map((c) => <Change key={c.field} change={c} />)}</ul>
        </li>
      )}
    </ul>
  );
}
