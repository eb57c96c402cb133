import fs from "node:fs";
import path from "node:path";
import { GENERATED_PATH, generateOpenApiTypes } from "./openapi-types";

// `npm run sdk:types`: rewrites the SDK's generated types from the OpenAPI document.
async function main() {
  const file = path.resolve(import.meta.dirname, "../../..", GENERATED_PATH);
  fs.writeFileSync(file, await generateOpenApiTypes());
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}
void main();
