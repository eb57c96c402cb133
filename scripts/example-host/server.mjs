#!/usr/bin/env node
// Example host application: a SaaS product that embeds Enclave for its
// customers. Its backend holds the API key (never sent to the browser) and
// mints sessions; its page mounts them with enclave-embed.js.
//
//   npm run example        → http://localhost:4000 (Enclave at http://localhost:3000)
//
// It mints them with the Node SDK (packages/node), loaded from its TypeScript
// source through tsx, so no build step runs first; your backend would
// `import { Enclave } from "@enclave/node"`.
//
// Env: ENCLAVE_URL (default http://localhost:3000), EXAMPLE_PORT (4000),
// ENCLAVE_API_KEY (else one is created with the CLI on first start and kept
// in DATA_DIR/example-host.json, mode 600), EXAMPLE_DASHBOARD (dash_demo).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { tsImport } from "tsx/esm/api";

const { Enclave, EnclaveError } = await tsImport("../../packages/node/src/index.ts", import.meta.url);

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const PORT = Number(process.env.EXAMPLE_PORT || 4000);
const ENCLAVE_URL = (process.env.ENCLAVE_URL || "http://localhost:3000").replace(/\/$/, "");
const DASHBOARD = process.env.EXAMPLE_DASHBOARD || "dash_demo";
// The tenants this demo lets you switch between. In your product the tenant comes from your signed-in user.
const TENANTS = ["acme", "globex", "initech", "acme2"];
// What each customer's users may do. acme has exports and questions on, so the demo shows every feature;
// in your product this follows the customer's plan or your user's role.
const PERMISSIONS = { acme: { allow_export: true, allow_ai: true } };

function apiKey() {
  if (process.env.ENCLAVE_API_KEY) return process.env.ENCLAVE_API_KEY;
  const file = path.resolve(root, process.env.DATA_DIR || "data", "example-host.json");
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, "utf8")).secret;
  console.log("example host: creating an API key with the embed scope (npm run enclave -- keys create)…");
  const out = execFileSync(process.execPath, [path.join(root, "scripts/run-ts.mjs"), "scripts/enclave.ts", "keys", "create", "--name", "example-host", "--scopes", "embed", "--json"], { cwd: root, env: process.env, encoding: "utf8" });
  const created = JSON.parse(out.trim().split("\n").pop());
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ id: created.id, secret: created.secret }), { mode: 0o600 });
  return created.secret;
}

const enclave = new Enclave({ baseUrl: ENCLAVE_URL, apiKey: apiKey() });
const page = fs.readFileSync(path.join(here, "index.html"), "utf8").replaceAll("%ENCLAVE_URL%", ENCLAVE_URL);

async function readBody(req) {
  let body = "";
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10_000) throw new Error("body too large");
  }
  return body ? JSON.parse(body) : {};
}

const server = http.createServer(async (req, res) => {
  try {
    if (req.method === "GET" && (req.url === "/" || req.url.startsWith("/?"))) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      return res.end(page);
    }
    if (req.method === "POST" && req.url === "/api/session") {
      // Your backend: decide the tenant from your own session, then mint with your API key.
      const { tenant, ttl } = await readBody(req);
      if (!TENANTS.includes(tenant)) {
        res.writeHead(400, { "content-type": "application/json" });
        return res.end(JSON.stringify({ error: "unknown tenant" }));
      }
      const expires_in = Number.isInteger(ttl) && ttl >= 10 && ttl <= 3600 ? ttl : 3600;
      try {
        const minted = await enclave.embedSessions.create({ tenant_id: tenant, dashboard_id: DASHBOARD, expires_in, user_id: `demo-user@${tenant}`, ...(PERMISSIONS[tenant] ? { permissions: PERMISSIONS[tenant] } : {}) });
        res.writeHead(201, { "content-type": "application/json", "cache-control": "no-store" });
        return res.end(JSON.stringify(minted));
      } catch (err) {
        // Enclave's answer (its status and { error: { code, message } }) is passed on; no answer is a 502.
        if (!(err instanceof EnclaveError)) throw err;
        res.writeHead(err.status || 502, { "content-type": "application/json", "cache-control": "no-store" });
        return res.end(JSON.stringify({ error: { code: err.code, message: err.message } }));
      }
    }
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("not found");
  } catch (err) {
    res.writeHead(500, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: String(err.message || err) }));
  }
});

server.listen(PORT, () => {
  console.log(`example host: http://localhost:${PORT}  (embedding ${ENCLAVE_URL}, dashboard ${DASHBOARD})`);
});
