import { CopyButton } from "./copy-button";

/** An integration snippet: the code as it is to be pasted, and a button that copies it. */
export function CodeSnippet({ code, name }: { code: string; name: string }) {
  return (
    <div className="snippet-box" data-testid="snippet">
      <pre className="mono snippet">{code}</pre>
      <CopyButton value={code} what={`the ${name} snippet`} className="btn btn-sm snippet-copy" />
    </div>
  );
}
