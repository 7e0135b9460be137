import { Box, Text, ThemeProvider, useTheme } from "@saleor/macaw-ui";
import { useEffect, useState } from "react";
import { OutsideDashboard } from "./components/OutsideDashboard";
import { DashboardProvider, useDashboard } from "./dashboard";
import { LocaleProvider, useT } from "./i18n";
import { PageView } from "./pages/PageView";
import { PAGES, PAGE_TITLES, pageFromHash, type PageId } from "./pages/pages";

function useHashPage(): PageId {
  const [page, setPage] = useState<PageId>(() => pageFromHash(window.location.hash));
  useEffect(() => {
    const onHash = () => setPage(pageFromHash(window.location.hash));
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);
  return page;
}

/** Keeps macaw-ui's theme in step with the dashboard's. */
function ThemeSync({ theme }: { theme: "light" | "dark" }) {
  const { setTheme } = useTheme();
  useEffect(() => {
    setTheme(theme === "dark" ? "defaultDark" : "defaultLight");
    // Native controls (time pickers, selects, checkboxes) follow the theme too.
    document.documentElement.style.colorScheme = theme;
    // ui.css darkens macaw-ui's grey and warning text per theme to pass WCAG AA contrast.
    document.documentElement.dataset.ulakTheme = theme;
  }, [theme, setTheme]);
  return null;
}

export function Shell() {
  const t = useT();
  const page = useHashPage();
  return (
    <Box display="flex" flexDirection="column" gap={4} padding={6} backgroundColor="default1" __minHeight="100vh">
      <Box as="header" display="flex" flexDirection="column" gap={1}>
        <Text as="h1" size={8} fontWeight="bold">
          {t("app.name")}
        </Text>
        <Text as="p" size={3} color="default2">
          {t("app.tagline")}
        </Text>
      </Box>
      <Box as="nav" aria-label={t("nav.label")}>
        <Box as="ul" display="flex" flexWrap="wrap" gap={1} padding={0} margin={0} borderBottomWidth={1} borderBottomStyle="solid" borderColor="default1" style={{ listStyle: "none" }}>
          {PAGES.map((id) => (
            <li key={id}>
              <Box
                as="a"
                href={`#/${id}`}
                aria-current={id === page ? "page" : undefined}
                display="block"
                paddingX={3}
                paddingY={2}
                textDecoration="none"
                color={id === page ? "default1" : "default2"}
                fontWeight={id === page ? "bold" : "regular"}
                borderBottomWidth={1}
                borderBottomStyle="solid"
                borderColor={id === page ? "accent1" : "transparent"}
              >
                {t(PAGE_TITLES[id])}
              </Box>
            </li>
          ))}
        </Box>
      </Box>
      {/* not a second <main>: macaw-ui's ThemeProvider already wraps the app in one */}
      <Box display="flex" flexDirection="column" gap={3}>
        <Text as="h2" size={7} fontWeight="bold">
          {t(PAGE_TITLES[page])}
        </Text>
        <PageView key={page} page={page} />
      </Box>
    </Box>
  );
}

function Root() {
  const dashboard = useDashboard();
  useEffect(() => {
    document.documentElement.lang = dashboard.locale;
  }, [dashboard.locale]);
  return (
    <LocaleProvider locale={dashboard.locale}>
      <ThemeSync theme={dashboard.theme} />
      {dashboard.status === "outside" ? (
        <OutsideDashboard locale={dashboard.locale} reason={dashboard.outsideReason} />
      ) : dashboard.status === "connecting" ? (
        <ConnectingNotice />
      ) : (
        <Shell />
      )}
    </LocaleProvider>
  );
}

function ConnectingNotice() {
  const t = useT();
  return (
    <Box padding={8} role="status" aria-live="polite">
      <Text size={4}>{t("app.connecting")}</Text>
    </Box>
  );
}

export function App() {
  return (
    <ThemeProvider>
      <DashboardProvider>
        <Root />
      </DashboardProvider>
    </ThemeProvider>
  );
}
