// @vitest-environment node
/**
 * src/api/generated.ts is what `npm run codegen` makes of graphql/admin.graphql and the UI's
 * documents: regenerated here in memory, it must equal the committed file, so a schema export
 * or a changed document without `npm run codegen` fails the UI tests.
 */
import { generate } from "@graphql-codegen/cli";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CODEGEN_CONFIG, codegenDocuments } from "./codegenConfig";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

describe("src/api/generated.ts", () => {
  it("is up to date with graphql/admin.graphql and the documents (run `npm run codegen`)", async () => {
    const [output] = await generate(
      {
        cwd: here("../.."),
        schema: here("../../../graphql/admin.graphql"),
        documents: codegenDocuments(),
        generates: { "src/api/generated.ts": { plugins: ["typescript", "typescript-operations"], config: CODEGEN_CONFIG } },
        silent: true,
      },
      false,
    );
    expect(output?.content).toBe(readFileSync(here("./generated.ts"), "utf8"));
  });
});
