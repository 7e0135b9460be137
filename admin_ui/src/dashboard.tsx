/**
 * The bridge to the Saleor dashboard. The dashboard opens our appUrl with
 * `?domain=&saleorApiUrl=&id=&theme=` and posts a `handshake` event with the token;
 * `tokenRefresh`, `theme` and `localeChanged` follow. Outside the dashboard (no
 * `saleorApiUrl` in the URL, or no handshake within HANDSHAKE_TIMEOUT_MS) the status is
 * "outside" and the app shows how to open Ulak from Apps → Ulak.
 */
import { AppBridge, AppBridgeProvider, useAppBridge, type AppBridgeState } from "@saleor/app-sdk/app-bridge";
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { createAdminClient, type AdminRequest } from "./api/graphql";
import { toLocale, type Locale } from "./i18n";

export const HANDSHAKE_TIMEOUT_MS = 1500;

export type DashboardStatus = "connecting" | "ready" | "outside";

export interface DashboardInfo {
  status: DashboardStatus;
  /** true once the handshake delivered a token. */
  ready: boolean;
  token: string | undefined;
  saleorApiUrl: string;
  locale: Locale;
  theme: "light" | "dark";
  /** Why we are "outside": no URL params, or the handshake never came. */
  outsideReason?: "no-params" | "no-handshake";
  request: AdminRequest;
  appBridge?: AppBridge;
}

const DashboardContext = createContext<DashboardInfo | null>(null);

export function useDashboard(): DashboardInfo {
  const ctx = useContext(DashboardContext);
  if (!ctx) throw new Error("useDashboard must be used inside <DashboardProvider>");
  return ctx;
}

/** Provides a fixed DashboardInfo (component tests, storybook-like previews). */
export function StaticDashboardProvider({ value, children }: { value: DashboardInfo; children: ReactNode }) {
  return <DashboardContext.Provider value={value}>{children}</DashboardContext.Provider>;
}

function browserLocale(): Locale {
  const params = new URLSearchParams(window.location.search);
  return toLocale(params.get("locale") ?? (typeof navigator !== "undefined" ? navigator.language : "en"));
}

function urlTheme(): "light" | "dark" {
  return new URLSearchParams(window.location.search).get("theme") === "dark" ? "dark" : "light";
}

export function DashboardProvider({ children, appBridge: given }: { children: ReactNode; appBridge?: AppBridge }) {
  const [appBridge] = useState<AppBridge | undefined>(() => {
    if (given) return given;
    const saleorApiUrl = new URLSearchParams(window.location.search).get("saleorApiUrl");
    if (!saleorApiUrl) return undefined;
    try {
      return new AppBridge({ saleorApiUrl, autoNotifyReady: true });
    } catch {
      return undefined;
    }
  });
  if (!appBridge) {
    return <OutsideProvider>{children}</OutsideProvider>;
  }
  return (
    <AppBridgeProvider appBridgeInstance={appBridge}>
      <BridgedProvider>{children}</BridgedProvider>
    </AppBridgeProvider>
  );
}

function OutsideProvider({ children }: { children: ReactNode }) {
  const value = useMemo<DashboardInfo>(
    () => ({
      status: "outside",
      ready: false,
      token: undefined,
      saleorApiUrl: "",
      locale: browserLocale(),
      theme: urlTheme(),
      outsideReason: "no-params",
      request: createAdminClient({ getToken: () => undefined }),
    }),
    [],
  );
  return <DashboardContext.Provider value={value}>{children}</DashboardContext.Provider>;
}

function BridgedProvider({ children }: { children: ReactNode }) {
  const { appBridge } = useAppBridge();
  const [state, setState] = useState<AppBridgeState | null>(() => appBridge?.getState() ?? null);
  const [timedOut, setTimedOut] = useState(false);

  useEffect(() => {
    if (!appBridge) return;
    const update = () => setState({ ...appBridge.getState() });
    update();
    const unsubscribes = [
      appBridge.subscribe("handshake", update),
      appBridge.subscribe("tokenRefresh", update),
      appBridge.subscribe("theme", update),
      appBridge.subscribe("localeChanged", update),
      appBridge.subscribe("redirect", update),
    ];
    return () => unsubscribes.forEach((u) => u());
  }, [appBridge]);

  const ready = Boolean(state?.ready && state.token);
  useEffect(() => {
    if (ready) return;
    const timer = setTimeout(() => setTimedOut(true), HANDSHAKE_TIMEOUT_MS);
    return () => clearTimeout(timer);
  }, [ready]);

  const request = useMemo(() => createAdminClient({ getToken: () => appBridge?.getState().token }), [appBridge]);

  const value = useMemo<DashboardInfo>(
    () => ({
      status: ready ? "ready" : timedOut ? "outside" : "connecting",
      ready,
      token: state?.token,
      saleorApiUrl: state?.saleorApiUrl ?? "",
      locale: toLocale(state?.locale ?? browserLocale()),
      theme: state?.theme === "dark" ? "dark" : state?.theme === "light" ? "light" : urlTheme(),
      outsideReason: !ready && timedOut ? "no-handshake" : undefined,
      request,
      appBridge,
    }),
    [ready, timedOut, state, request, appBridge],
  );
  return <DashboardContext.Provider value={value}>{children}</DashboardContext.Provider>;
}
