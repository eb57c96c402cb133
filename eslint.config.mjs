import nextCoreWebVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

const config = [
  ...nextCoreWebVitals,
  ...nextTypescript,
  {
    // Specs take `test` from e2e/fixtures/test.ts, which fails a test on any policy refusal in the browser.
    files: ["e2e/**/*.spec.ts"],
    rules: {
      "no-restricted-imports": ["error", { paths: [{ name: "@playwright/test", importNames: ["test"], message: "Import test from ./fixtures/test: it fails the test on any Content-Security-Policy violation." }] }],
    },
  },
  {
    ignores: ["node_modules/**", ".next/**", "data/**", "test-data/**", "test-results/**", "playwright-report/**", "next-env.d.ts", "public/embed-client/**", "build/**", "bench/data/**", "packages/*/dist/**"],
  },
];

export default config;
