import { CopyButton } from "./copy-button";

/** A secret shown once (an API key, an invite link) with a button that copies it. */
export function CopySecret({ value, testId }: { value: string; testId: string }) {
  return (
    <div className="secret-box">
      <code data-testid={testId}>{value}</code>
      <CopyButton value={value} />
    </div>
  );
}
