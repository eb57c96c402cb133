import { withApiKey } from "@/lib/auth/with-api-key";
import { ingestRequest } from "@/lib/ingest/ingest-batch";
import { recordMilestone } from "@/lib/setup/first-run";

/** Ingest a JSON array or NDJSON batch (optionally gzip); answers after the insert. */
export const POST = withApiKey("ingest", async (req, ctx) => {
  const { status, body, replayed } = await ingestRequest(req, ctx);
  if (body.accepted > 0) await recordMilestone("events_received"); // the overview's first-run checklist
  return Response.json(body, { status, headers: replayed ? { "Idempotent-Replayed": "true" } : {} });
});
