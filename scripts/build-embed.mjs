#!/usr/bin/env node
// Bundles the dashboard page's script (components/embed-client) into
// public/embed-client/, with a manifest naming the file and its content hash
// (the page links it as /embed-client/<file>?v=<hash>). npm start and npm run
// dev run this before Next does.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outdir = path.join(root, "public/embed-client");
fs.rmSync(outdir, { recursive: true, force: true });
fs.mkdirSync(outdir, { recursive: true });
const result = await build({
  entryPoints: [path.join(root, "components/embed-client/main.ts")],
  bundle: true,
  format: "esm",
  target: ["es2022"],
  minify: true,
  sourcemap: false,
  legalComments: "none",
  outfile: path.join(outdir, "embed.js"),
  logLevel: "warning",
  metafile: true,
});
const code = fs.readFileSync(path.join(outdir, "embed.js"));
const hash = crypto.createHash("sha256").update(code).digest("hex").slice(0, 16);
fs.writeFileSync(path.join(outdir, "manifest.json"), `${JSON.stringify({ file: "embed.js", hash, bytes: code.length })}\n`);
console.log(`✓ embed page script built (${(code.length / 1024).toFixed(1)} kB, ${Object.keys(result.metafile.inputs).length} modules)`);
