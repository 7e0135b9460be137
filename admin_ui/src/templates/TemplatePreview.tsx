/**
 * A WhatsApp-style chat bubble for a template: media placeholder or text header, body with
 * variables filled in and WhatsApp formatting, grey footer, buttons under the bubble.
 * Pure: everything comes from props.
 */
import { Copy, ExternalLink, FileText, Image, MapPin, Phone, Reply, Video } from "lucide-react";
import type { ReactNode } from "react";
import { useT } from "../i18n";
import { findComponent, type HeaderFormat, type TemplateButton, type TemplateValues, type WhatsAppTemplate } from "./types";
import { renderWhatsAppText, substitute } from "./whatsappFormat";
import "./TemplatePreview.css";

export interface TemplatePreviewProps {
  template: WhatsAppTemplate;
  values?: TemplateValues;
}

const MEDIA_ICONS: Record<Exclude<HeaderFormat, "TEXT">, ReactNode> = {
  IMAGE: <Image aria-hidden="true" size={32} />,
  VIDEO: <Video aria-hidden="true" size={32} />,
  DOCUMENT: <FileText aria-hidden="true" size={32} />,
  LOCATION: <MapPin aria-hidden="true" size={32} />,
};

function buttonIcon(type: TemplateButton["type"]): ReactNode {
  switch (type) {
    case "URL":
      return <ExternalLink aria-hidden="true" size={16} />;
    case "PHONE_NUMBER":
      return <Phone aria-hidden="true" size={16} />;
    case "COPY_CODE":
      return <Copy aria-hidden="true" size={16} />;
    default:
      return <Reply aria-hidden="true" size={16} />;
  }
}

export function TemplatePreview({ template, values }: TemplatePreviewProps) {
  const t = useT();
  const header = findComponent(template, "HEADER")?.component;
  const body = findComponent(template, "BODY")?.component;
  const footer = findComponent(template, "FOOTER")?.component;
  const buttons = findComponent(template, "BUTTONS")?.component.buttons ?? [];
  const missingLabel = (raw: string) => t("preview.missingVariable", { n: raw });

  return (
    <figure className="ulak-wa" aria-label={t("preview.label")} data-testid="template-preview">
      <div className="ulak-wa-bubble">
        {header && header.format !== "TEXT" && (
          <div
            className="ulak-wa-media"
            role="img"
            aria-label={t(`preview.media.${header.format}`)}
            data-testid="header-media"
            data-format={header.format}
          >
            {MEDIA_ICONS[header.format]}
            <span>{t(`preview.media.${header.format}`)}</span>
          </div>
        )}
        {header && header.format === "TEXT" && header.text && (
          <p className="ulak-wa-header" data-testid="header-text">
            {renderWhatsAppText(header.text, values?.header, missingLabel)}
          </p>
        )}
        {body && (
          <p className="ulak-wa-body" data-testid="body">
            {renderWhatsAppText(body.text, values?.body, missingLabel)}
          </p>
        )}
        {footer && footer.text && (
          <p className="ulak-wa-footer" data-testid="footer">
            {footer.text}
          </p>
        )}
      </div>
      {buttons.length > 0 && (
        <ul className="ulak-wa-buttons" aria-label={t("preview.buttons")} data-testid="buttons">
          {buttons.map((b, i) => {
            const url = b.type === "URL" && b.url ? substitute(b.url, values?.buttons?.[i]).text : undefined;
            return (
              <li key={i} className="ulak-wa-button" data-type={b.type} title={url ?? b.phone_number}>
                {buttonIcon(b.type)}
                <span>{b.type === "COPY_CODE" && !b.text ? t("preview.copyCode") : b.text}</span>
              </li>
            );
          })}
        </ul>
      )}
    </figure>
  );
}
