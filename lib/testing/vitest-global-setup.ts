import { execFileSync } from "node:child_process";
import path from "node:path";

// The dashboard page links its browser script by the hash the build writes
// (public/embed-client/manifest.json), as npm start does: build it once before
// the tests, so a fresh clone tests the same page production serves.
export default function setup() {
  execFileSync(process.execPath, [path.resolve(import.meta.dirname, "../../scripts/build-embed.mjs")], { stdio: "inherit" });
}
