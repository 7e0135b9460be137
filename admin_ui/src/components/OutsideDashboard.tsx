/** Shown when the page is opened outside the Saleor dashboard: says how to open Ulak, in both languages. */
import { Box, Text } from "@saleor/macaw-ui";
import { translate, type Locale } from "../i18n";

function Explanation({ locale, reason, manifest }: { locale: Locale; reason?: "no-params" | "no-handshake"; manifest: string }) {
  const t = (key: Parameters<typeof translate>[1], params?: Record<string, string>) => translate(locale, key, params);
  return (
    <Box as="section" lang={locale} display="flex" flexDirection="column" gap={2} padding={6} borderRadius={4} borderWidth={1} borderStyle="solid" borderColor="default1" backgroundColor="default1">
      <Text as="h2" size={7} fontWeight="bold">
        {t("outside.title")}
      </Text>
      <Text as="p" size={4}>
        {t("outside.body")}
      </Text>
      <Box as="ol" paddingLeft={6} display="flex" flexDirection="column" gap={1}>
        <li><Text size={4}>{t("outside.step1")}</Text></li>
        <li><Text size={4}>{t("outside.step2")}</Text></li>
        <li><Text size={4}>{t("outside.step3", { manifest })}</Text></li>
      </Box>
      {reason === "no-handshake" && (
        <Text as="p" size={3} color="warning1">
          {t("outside.noHandshake")}
        </Text>
      )}
    </Box>
  );
}

export function OutsideDashboard({ locale, reason }: { locale: Locale; reason?: "no-params" | "no-handshake" }) {
  const manifest = `${window.location.origin}/api/manifest`;
  const order: Locale[] = locale === "tr" ? ["tr", "en"] : ["en", "tr"];
  return (
    <Box display="flex" flexDirection="column" gap={6} padding={8} __maxWidth="760px" marginX="auto">
      <Text as="h1" size={10} fontWeight="bold">
        Ulak
      </Text>
      {order.map((l) => (
        <Explanation key={l} locale={l} reason={reason} manifest={manifest} />
      ))}
    </Box>
  );
}
