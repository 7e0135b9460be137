/**
 * Every document the UI sends is valid against graphql/admin.graphql — or is listed in
 * PENDING because its root field is not in the SDL yet. When the backend adds the field,
 * the document is validated automatically; a PENDING entry whose field exists but whose
 * document does not validate fails here, naming the drift.
 */
import { buildSchema, parse, validate, type GraphQLSchema } from "graphql";
import { describe, expect, it } from "vitest";
import sdl from "../../../graphql/admin.graphql?raw";
import { DOCUMENTS, PENDING, type DocumentName } from "./queries";

const schema: GraphQLSchema = buildSchema(sdl);

function rootFieldExists(coordinate: string): boolean {
  const [typeName, field] = coordinate.split(".") as [string, string];
  const type = typeName === "Query" ? schema.getQueryType() : schema.getMutationType();
  return Boolean(type?.getFields()[field]);
}

const names = Object.keys(DOCUMENTS) as DocumentName[];

describe("admin API documents against graphql/admin.graphql", () => {
  it.each(names)("%s parses", (name) => {
    expect(() => parse(DOCUMENTS[name])).not.toThrow();
  });

  it.each(names.filter((n) => !PENDING[n] || rootFieldExists(PENDING[n]!)))("%s validates", (name) => {
    const errors = validate(schema, parse(DOCUMENTS[name])).map((e) => e.message);
    expect(errors).toEqual([]);
  });

  it("lists as pending only documents whose operation is really missing", () => {
    const pendingButMissing = names.filter((n) => PENDING[n] && !rootFieldExists(PENDING[n]!));
    for (const name of pendingButMissing) {
      // The pending document must fail only because of the missing operation.
      const errors = validate(schema, parse(DOCUMENTS[name]));
      expect(errors.length).toBeGreaterThan(0);
    }
    expect(names.filter((n) => !PENDING[n]).length).toBeGreaterThanOrEqual(6);
  });
});
