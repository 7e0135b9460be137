/** Renders a page with a fixed dashboard whose admin API answers come from `answer`. */
import { render } from "@testing-library/react";
import type { ReactNode } from "react";
import { vi } from "vitest";
import { createAdminClient } from "../api/graphql";
import { StaticDashboardProvider } from "../dashboard";
import { LocaleProvider, type Locale } from "../i18n";

export type Answer = (query: string, variables: Record<string, unknown>) => unknown;

export function renderWithApi(ui: ReactNode, answer: Answer, locale: Locale = "en") {
  const fetch = vi.fn(async (_url: string, init: RequestInit) => {
    const { query, variables } = JSON.parse(init.body as string) as { query: string; variables: Record<string, unknown> };
    const result = answer(query, variables);
    const body = result instanceof Error ? { data: null, errors: [{ message: result.message }] } : { data: result };
    return new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
  });
  const request = createAdminClient({ getToken: () => "token", fetch: fetch as unknown as typeof globalThis.fetch });
  const utils = render(
    <StaticDashboardProvider value={{ status: "ready", ready: true, token: "token", saleorApiUrl: "https://s.example/graphql/", locale, theme: "light", request }}>
      <LocaleProvider locale={locale}>{ui}</LocaleProvider>
    </StaticDashboardProvider>,
  );
  return { ...utils, fetch };
}
