import { describe, expect, it, vi } from "vitest";
import { AdminApiError, createAdminClient, errorsByField, userErrors, type UserError } from "./graphql";

const jsonResponse = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

describe("createAdminClient", () => {
  it("posts to /graphql with the current dashboard token", async () => {
    const fetch = vi.fn().mockImplementation(async () => jsonResponse({ data: { templates: [] } }));
    let token = "first";
    const request = createAdminClient({ getToken: () => token, fetch });
    await request("query { templates { id } }");
    token = "refreshed";
    const data = await request<{ templates: unknown[] }>("query { templates { id } }", { first: 1 });
    expect(data).toEqual({ templates: [] });
    const [url, init] = fetch.mock.calls[1] as [string, RequestInit];
    expect(url).toBe("/graphql");
    expect((init.headers as Record<string, string>).Authorization).toBe("Bearer refreshed");
    expect(JSON.parse(init.body as string)).toEqual({ query: "query { templates { id } }", variables: { first: 1 } });
  });

  it("throws AdminApiError for GraphQL errors and HTTP failures", async () => {
    const request = createAdminClient({
      getToken: () => "t",
      fetch: vi.fn().mockResolvedValue(jsonResponse({ data: null, errors: [{ message: "Permission denied" }] }, 200)),
    });
    await expect(request("query { x }")).rejects.toMatchObject({ name: "AdminApiError", message: "Permission denied" });
    const failing = createAdminClient({ getToken: () => "t", fetch: vi.fn().mockResolvedValue(new Response("nope", { status: 502 })) });
    await expect(failing("query { x }")).rejects.toBeInstanceOf(AdminApiError);
    const noToken = createAdminClient({ getToken: () => undefined, fetch: vi.fn() });
    await expect(noToken("query { x }")).rejects.toBeInstanceOf(AdminApiError);
  });

  it("surfaces a mutation's typed error list", async () => {
    const errors: UserError[] = [
      { field: "name", code: "INVALID", message: "Use lowercase" },
      { field: null, code: "QUOTA", message: "Limit reached" },
    ];
    const request = createAdminClient({
      getToken: () => "t",
      fetch: vi.fn().mockResolvedValue(jsonResponse({ data: { templateCreate: { template: null, errors } } })),
    });
    const data = await request<{ templateCreate: { template: null; errors: UserError[] } }>("mutation { templateCreate }");
    expect(userErrors(data.templateCreate)).toEqual(errors);
    expect(errorsByField(errors)).toEqual({ name: [errors[0]], "": [errors[1]] });
    expect(userErrors(null)).toEqual([]);
  });
});
