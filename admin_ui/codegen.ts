/**
 * TypeScript types from the exported admin schema (../graphql/admin.graphql): every schema type
 * and, for each document the UI sends (src/api/queries.ts's DOCUMENTS), its result and variables
 * (UlakOnboardingQuery, UlakConnectWhatsAppMutationVariables, ...). `npm run codegen` writes
 * src/api/generated.ts, which is committed; src/api/schema.test.ts fails when it is stale.
 */
import type { CodegenConfig } from "@graphql-codegen/cli";
import { CODEGEN_CONFIG, codegenDocuments } from "./src/api/codegenConfig";

const config: CodegenConfig = {
  schema: "../graphql/admin.graphql",
  documents: codegenDocuments(),
  generates: {
    "src/api/generated.ts": { plugins: ["typescript", "typescript-operations"], config: CODEGEN_CONFIG },
  },
  hooks: {},
};

export default config;
