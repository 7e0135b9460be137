/** The message a flow sends, drawn as WhatsApp shows it, from the store's own template. */
import { Text } from "@saleor/macaw-ui";
import { useLocale, useT } from "../i18n";
import { TemplatePreview } from "../templates/TemplatePreview";
import type { WhatsAppTemplate } from "../templates/types";

export interface LibraryTemplate {
  id: string;
  name: string;
  language: string;
  category: string;
  status: string;
  components: WhatsAppTemplate["components"];
}

/** The template named `name` in the dashboard's language, else in any language. */
export function pickTemplate(library: LibraryTemplate[], name: string, locale: string): LibraryTemplate | undefined {
  const named = library.filter((tpl) => tpl.name === name);
  return named.find((tpl) => tpl.language.toLowerCase().startsWith(locale)) ?? named[0];
}

export function FlowPreview({ name, library }: { name: string | undefined; library: LibraryTemplate[] }) {
  const t = useT();
  const locale = useLocale();
  if (!name) return null;
  const template = pickTemplate(library, name, locale);
  return (
    <details className="ulak-flow-preview">
      <summary>
        <Text size={3} fontWeight="medium">
          {t("flows.showPreview")}
        </Text>
      </summary>
      {template ? (
        <TemplatePreview template={{ name: template.name, language: template.language, category: template.category as WhatsAppTemplate["category"], components: template.components }} />
      ) : (
        <Text as="p" size={3} color="default2">
          {t("flows.noTemplate", { name })}
        </Text>
      )}
    </details>
  );
}
