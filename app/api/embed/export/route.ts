import { runEmbedWidget, WidgetQueryInput } from "@/lib/embed/embed-widgets";
import { toCsv } from "@/lib/embed/csv";
import { withEmbedSession } from "@/lib/embed/with-embed-session";
import { AppError } from "@/lib/errors";
import { readJson } from "@/lib/http";

// CSV export of one widget, only when the session's permissions allow it.
export const POST = withEmbedSession(async (req, { scope, session, versionId, requestId }) => {
  if (!session.permissions.allow_export) throw new AppError("forbidden", "Export is not allowed in this session.");
  const input = await readJson(req, WidgetQueryInput);
  const { widget, result } = await runEmbedWidget(scope, session, versionId, input, requestId);
  const name = widget.title.replace(/[^A-Za-z0-9 _-]/g, "").trim().replace(/\s+/g, "-").toLowerCase() || "export";
  return new Response(toCsv(result.columns.map((c) => c.name), result.rows), {
    headers: { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="${name}.csv"` },
  });
});
