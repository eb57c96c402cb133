import nextCoreWebVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

const config = [
  ...nextCoreWebVitals,
  ...nextTypescript,
  {
    ignores: ["node_modules/**", ".next/**", "data/**", "test-data/**", "test-results/**", "playwright-report/**", "next-env.d.ts", "public/embed-client/**", "build/**", "bench/data/**"],
  },
];

export default config;
