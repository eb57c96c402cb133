// Opens the analytics engine in its own process and reports the outcome on
// stdout; the engine test uses it to prove the second-process message.
import { getAnalytics, queryRows } from "@/lib/analytics/engine";

async function main() {
  try {
    const rows = await queryRows<{ ok: number }>(getAnalytics(), "SELECT 1 AS ok");
    console.log(`opened ${rows[0].ok}`);
  } catch (err) {
    console.log(`error: ${err instanceof Error ? err.message : String(err)}`);
  }
  process.exit(0);
}

void main();
