#!/usr/bin/env node
// Builds the dashboard page's two bundles, before Next builds the rest:
//  - its browser script (components/embed-client) into public/embed-client/,
//    with a manifest naming the file and its content hash (the page links it
//    as /embed-client/<file>?v=<hash>);
//  - the server's direct path for GET /embed/<token> (lib/embed/direct-server.ts)
//    into build/embed-direct.mjs, which scripts/server.mjs loads.
// npm start, npm run build and npm run dev run this.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const outdir = path.join(root, "public/embed-client");
fs.rmSync(outdir, { recursive: true, force: true });
fs.mkdirSync(outdir, { recursive: true });
const client = await build({
  entryPoints: [path.join(root, "components/embed-client/main.ts")],
  bundle: true,
  format: "esm",
  target: ["es2022"],
  minify: true,
  legalComments: "none",
  outfile: path.join(outdir, "embed.js"),
  logLevel: "warning",
  metafile: true,
});
const code = fs.readFileSync(path.join(outdir, "embed.js"));
const hash = crypto.createHash("sha256").update(code).digest("hex").slice(0, 16);
fs.writeFileSync(path.join(outdir, "manifest.json"), `${JSON.stringify({ file: "embed.js", hash, bytes: code.length })}\n`);

// Packages stay in node_modules (the same instances Next's server uses: the engine,
// Prisma); the project's own modules are bundled. State that must be shared with
// Next's copy of them (caches, issued scopes) lives on globalThis.
const server = await build({
  entryPoints: [path.join(root, "lib/embed/direct-server.ts")],
  bundle: true,
  platform: "node",
  format: "esm",
  target: ["node20"],
  packages: "external",
  alias: { "server-only": path.join(root, "node_modules/server-only/empty.js") },
  outfile: path.join(root, "build/embed-direct.mjs"),
  logLevel: "warning",
  metafile: true,
  banner: { js: "import { createRequire as __enclaveRequire } from 'node:module'; const require = __enclaveRequire(import.meta.url);" },
});
console.log(
  `✓ embed bundles built: page script ${(code.length / 1024).toFixed(1)} kB (${Object.keys(client.metafile.inputs).length} modules), ` +
    `direct server path ${Object.keys(server.metafile.inputs).length} modules`,
);
