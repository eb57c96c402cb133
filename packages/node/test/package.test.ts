import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { beforeAll, expect, it } from "vitest";

// What `npm pack` ships: built with tsc into dist/ (this test builds it, as a
// fresh clone has none), ESM with .d.ts types, no runtime dependencies.

const PACKAGE = path.resolve(import.meta.dirname, "..");
const ROOT = path.resolve(PACKAGE, "../..");
const manifest = JSON.parse(fs.readFileSync(path.join(PACKAGE, "package.json"), "utf8"));

beforeAll(() => {
  fs.rmSync(path.join(PACKAGE, "dist"), { recursive: true, force: true });
  execFileSync(process.execPath, [path.join(ROOT, "node_modules/typescript/bin/tsc"), "-p", path.join(PACKAGE, "tsconfig.json")], { stdio: "pipe" });
}, 120_000);

it("packs only dist, the README and package.json", () => {
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: PACKAGE, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const files: string[] = JSON.parse(out)[0].files.map((f: { path: string }) => f.path);
  expect(files.filter((f) => !/^dist\/.+\.(js|d\.ts)$/.test(f)).sort()).toEqual(["README.md", "package.json"]);
  expect(files).toEqual(expect.arrayContaining(["dist/index.js", "dist/index.d.ts", "dist/generated/openapi.d.ts"]));
});

it("is an ESM package for Node 20 with types and no runtime dependencies", async () => {
  expect(manifest).toMatchObject({ type: "module", engines: { node: ">=20" }, exports: { ".": { types: "./dist/index.d.ts", default: "./dist/index.js" } } });
  expect(manifest.dependencies ?? {}).toEqual({});
  expect(manifest.peerDependencies ?? {}).toEqual({});
  const js = fs.readdirSync(path.join(PACKAGE, "dist"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".js"));
  for (const file of js) {
    const text = fs.readFileSync(path.join(PACKAGE, "dist", file), "utf8");
    const specifiers = [...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/gm)].map((m) => m[1] ?? m[2]);
    if (file === "index.js") expect(specifiers).toContain("./client.js");
    for (const s of specifiers) expect(s, `${file} imports only Node built-ins and its own files`).toMatch(/^(node:|\.\.?\/)/);
  }
  const sdk = await import(path.join(PACKAGE, "dist/index.js"));
  expect(typeof sdk.Enclave).toBe("function");
  expect(new sdk.EnclaveError({ code: "timeout", status: 0, message: "x" })).toBeInstanceOf(Error);
});
