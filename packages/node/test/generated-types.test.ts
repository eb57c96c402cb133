import fs from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { GENERATED_PATH, generateOpenApiTypes } from "../scripts/openapi-types";

// The SDK's types are generated from the API's OpenAPI document; when a route's
// schema changes, this fails until `npm run sdk:types` is run and its output committed.

it("src/generated/openapi.ts is what openapi-typescript makes of the current OpenAPI document", async () => {
  const committed = fs.readFileSync(path.resolve(import.meta.dirname, "../../..", GENERATED_PATH), "utf8");
  const fresh = await generateOpenApiTypes();
  expect(committed === fresh, `${GENERATED_PATH} drifted from the OpenAPI document: run \`npm run sdk:types\``).toBe(true);
});
