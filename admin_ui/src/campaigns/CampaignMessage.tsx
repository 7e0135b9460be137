/**
 * The review's message: each variant as the backend's one message builder fills it
 * (campaign.messagePreviews), drawn in the same WhatsApp bubble as the template preview. The
 * text arrives filled, so nothing is substituted here: there is one renderer, on the server.
 */
import { Text } from "@saleor/macaw-ui";
import { useLocale, useT } from "../i18n";
import { TemplatePreview } from "../templates/TemplatePreview";
import type { ButtonType, HeaderFormat, TemplateComponent, WhatsAppTemplate } from "../templates/types";
import type { CampaignMessagePreview } from "./types";

/** A filled message in the bubble's template shape (no placeholders left to fill). */
export function filledTemplate(p: CampaignMessagePreview): WhatsAppTemplate | null {
  const message = p.preview;
  if (!message) return null;
  const components: TemplateComponent[] = [];
  if (message.header) components.push({ type: "HEADER", format: message.header.format as HeaderFormat, text: message.header.text ?? undefined });
  components.push({ type: "BODY", text: message.body });
  if (message.footer) components.push({ type: "FOOTER", text: message.footer });
  if (message.buttons.length > 0) {
    components.push({
      type: "BUTTONS",
      buttons: message.buttons.map((b) => ({ type: b.type as ButtonType, text: b.text, url: b.url ?? undefined, phone_number: b.phoneNumber ?? undefined })),
    });
  }
  return { name: p.templateName, language: p.templateLanguage, category: "MARKETING", components };
}

export function CampaignMessage({ previews }: { previews: CampaignMessagePreview[] | null }) {
  const t = useT();
  const locale = useLocale();
  if (previews === null) {
    return (
      <Text size={3} role="status">
        {t("review.messageLoading")}
      </Text>
    );
  }
  return (
    <div className="ulak-wa-list" data-testid="review-message">
      {previews.map((p) => {
        const template = filledTemplate(p);
        return (
          <div key={p.variant}>
            {previews.length > 1 && (
              <Text as="p" size={2} color="default2">
                {t("review.messageFor", { variant: p.variant, template: p.templateName })}
              </Text>
            )}
            {template ? (
              <TemplatePreview template={template} />
            ) : (
              <Text as="p" size={3} role="alert">
                {t("review.messageProblem", { variant: p.variant, problem: (locale === "tr" ? p.problemTr : p.problem) ?? "" })}
              </Text>
            )}
          </div>
        );
      })}
      <Text as="p" size={2} color="default2">
        {t("review.messageSample")}
      </Text>
    </div>
  );
}
