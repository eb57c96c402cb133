// Prepares the stores for a start: called by scripts/start.mjs after migrations.
import { closeAnalytics } from "@/lib/analytics/engine";
import { EnvError, getEnv } from "@/lib/env";
import { prepareStores } from "@/lib/setup/prepare-stores";
import { getDb } from "@/lib/db";

// Rollups are the server's to build, in the background (instrumentation.ts): a build started here
// by the demo dashboard's publish would hold this step, and the start, until it is done.
process.env.ROLLUPS = "0";

async function main() {
  const env = getEnv();
  let lastShown = 0;
  const { admin, demo } = await prepareStores((done, total) => {
    if (!process.stdout.isTTY && done < total && Date.now() - lastShown < 2000) return;
    lastShown = Date.now();
    const pct = Math.floor((done / total) * 100);
    const bar = "#".repeat(Math.floor(pct / 5)).padEnd(20, ".");
    process.stdout.write(`${process.stdout.isTTY ? "\r" : ""}  demo data [${bar}] ${pct}% ${done.toLocaleString("en")} events${process.stdout.isTTY ? "" : "\n"}`);
  });
  if (demo.loaded) {
    console.log(`${process.stdout.isTTY ? "\n" : ""}  demo data: ${demo.rows.toLocaleString("en")} events for ${demo.tenants} tenants in ${(demo.ms / 1000).toFixed(1)} s`);
  }
  if (admin) {
    console.log("");
    console.log("  ┌─ First admin created ───────────────────────────────────────");
    console.log(`  │ sign in at ${env.appUrl}/login`);
    console.log(`  │ email:     ${admin.email}`);
    if (admin.generatedPassword) {
      console.log(`  │ password:  ${admin.generatedPassword}`);
      console.log("  │ This password is shown once. Change it with:");
      console.log("  │   npm run enclave -- admin set-password --email <email>");
    } else {
      console.log("  │ password:  the value of ADMIN_PASSWORD");
    }
    console.log("  └─────────────────────────────────────────────────────────────");
  }
  await closeAnalytics();
  await getDb().$disconnect();
}

main().catch((err) => {
  if (err instanceof EnvError) console.error(err.message);
  else console.error(`Setup failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
