/**
 * Every document the UI sends is valid against graphql/admin.graphql — or is listed in
 * PENDING because its root field is not in the SDL yet. A PENDING entry whose operation
 * exists fails here, so a document is never left unvalidated once the backend has it.
 */
import { buildSchema, parse, validate, type GraphQLSchema } from "graphql";
import { describe, expect, it } from "vitest";
import sdl from "../../../graphql/admin.graphql?raw";
import * as queries from "./queries";
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

  it.each(names.filter((n) => !PENDING[n]))("%s validates", (name) => {
    const errors = validate(schema, parse(DOCUMENTS[name])).map((e) => e.message);
    expect(errors).toEqual([]);
  });

  it("lists as pending only documents whose operation is really missing", () => {
    const stale = names.filter((n) => PENDING[n] && rootFieldExists(PENDING[n]!));
    expect(stale).toEqual([]);
    for (const name of names.filter((n) => PENDING[n])) {
      // A pending document must fail only because of the missing operation.
      expect(validate(schema, parse(DOCUMENTS[name])).length).toBeGreaterThan(0);
    }
  });

  it("lists every document src/api/queries.ts exports, so none escapes the checks above", () => {
    const listed = new Set<string>(Object.values(DOCUMENTS));
    const exported = Object.entries(queries).filter(([, v]) => typeof v === "string" && /^\s*(query|mutation)\b/.test(v));
    expect(exported.filter(([, v]) => !listed.has(v as string)).map(([k]) => k)).toEqual([]);
  });

  it("gives every operation its own Ulak… name, so a server log points at one document", () => {
    const operations = names.map((n) => parse(DOCUMENTS[n]).definitions.map((d) => ("name" in d ? d.name?.value : undefined))[0]);
    expect(new Set(operations).size).toBe(names.length);
    expect(operations.every((o) => o?.startsWith("Ulak"))).toBe(true);
  });
});
