import crypto from "node:crypto";
import { BackupInput, createBackup } from "@/lib/backup/create-backup";
import { assertOperator } from "@/lib/backup/operator-token";
import { errorResponse } from "@/lib/errors";
import { readJson } from "@/lib/http";

/**
 * Writes an online backup to a directory on this machine (`npm run enclave -- backup`).
 * Only the operator token in DATA_DIR opens it: no API key, however scoped, may write files here.
 */
export async function POST(req: Request): Promise<Response> {
  const requestId = crypto.randomUUID();
  try {
    assertOperator(req);
    const { to } = await readJson(req, BackupInput);
    const manifest = await createBackup(to, "operator");
    return Response.json(manifest, { headers: { "Cache-Control": "no-store" } });
  } catch (err) {
    return errorResponse(err, requestId);
  }
}
