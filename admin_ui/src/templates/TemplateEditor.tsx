/**
 * The template editor: fields on the left, the live WhatsApp-style preview on the right.
 * Every keystroke re-runs validateTemplate (Meta's rules) and redraws the preview with the
 * sample values the merchant gives for each {{n}} variable.
 */
import { Box, Button, Text } from "@saleor/macaw-ui";
import { useMemo, useState } from "react";
import { SelectField, TextAreaField, TextField } from "../components/ui";
import { useLocale, useT } from "../i18n";
import { TemplatePreview } from "./TemplatePreview";
import type { ButtonType, TemplateButton, TemplateCategory, TemplateComponent, WhatsAppTemplate } from "./types";
import { validateTemplate } from "./validateTemplate";
import { variableNumbers } from "./variables";

const LANGUAGES = [
  { value: "tr", label: "Türkçe (tr)" },
  { value: "en", label: "English (en)" },
];
const CATEGORIES: readonly TemplateCategory[] = ["MARKETING", "UTILITY", "AUTHENTICATION"];

export interface EditorButton {
  type: Extract<ButtonType, "QUICK_REPLY" | "URL">;
  text: string;
  url: string;
}

export interface EditorState {
  name: string;
  language: string;
  category: TemplateCategory;
  header: string;
  body: string;
  footer: string;
  buttons: EditorButton[];
  /** Sample value per body variable number. */
  samples: Record<string, string>;
}

export const EMPTY_EDITOR: EditorState = {
  name: "",
  language: "tr",
  category: "MARKETING",
  header: "",
  body: "",
  footer: "",
  buttons: [],
  samples: {},
};

/** The Meta component structure for what the editor holds. */
export function editorToTemplate(s: EditorState): WhatsAppTemplate {
  const components: TemplateComponent[] = [];
  if (s.header.trim()) components.push({ type: "HEADER", format: "TEXT", text: s.header });
  const numbers = variableNumbers(s.body).sort((a, b) => a - b);
  components.push({
    type: "BODY",
    text: s.body,
    ...(numbers.length > 0 ? { example: { body_text: [numbers.map((n) => s.samples[String(n)] ?? "")] } } : {}),
  });
  if (s.footer.trim()) components.push({ type: "FOOTER", text: s.footer });
  if (s.buttons.length > 0) {
    components.push({
      type: "BUTTONS",
      buttons: s.buttons.map((b): TemplateButton => (b.type === "URL" ? { type: "URL", text: b.text, url: b.url } : { type: "QUICK_REPLY", text: b.text })),
    });
  }
  return { name: s.name, language: s.language, category: s.category, components };
}

export function TemplateEditor({ onSubmit, submitting }: { onSubmit: (template: WhatsAppTemplate) => void; submitting?: boolean }) {
  const t = useT();
  const locale = useLocale();
  const [s, setS] = useState<EditorState>(EMPTY_EDITOR);
  // Problems show once the merchant has started writing, not on an empty form.
  const [touched, setTouched] = useState(false);
  const template = useMemo(() => editorToTemplate(s), [s]);
  const problems = useMemo(() => validateTemplate(template), [template]);
  const blocking = problems.filter((p) => p.severity === "error");
  const numbers = variableNumbers(s.body).sort((a, b) => a - b);
  const set = <K extends keyof EditorState>(key: K, value: EditorState[K]) => {
    setTouched(true);
    setS((prev) => ({ ...prev, [key]: value }));
  };
  const setButton = (i: number, patch: Partial<EditorButton>) => set("buttons", s.buttons.map((b, j) => (j === i ? { ...b, ...patch } : b)));
  const values = { body: s.samples };

  return (
    <div className="ulak-split">
      <Box
        as="form"
        aria-label={t("templates.editor")}
        display="flex"
        flexDirection="column"
        gap={3}
        onSubmit={(e: React.FormEvent) => {
          e.preventDefault();
          if (blocking.length === 0) onSubmit(template);
        }}
      >
        <div className="ulak-grid">
          <TextField label={t("templates.name")} hint={t("templates.nameHint")} id="tpl-name" value={s.name} aria-describedby="tpl-name-hint" onChange={(e) => set("name", e.target.value)} />
          <SelectField label={t("templates.language")} options={LANGUAGES} value={s.language} onChange={(v) => set("language", v)} testId="tpl-lang" />
          <SelectField
            label={t("templates.category")}
            options={CATEGORIES.map((c) => ({ value: c, label: t(`category.${c}`) }))}
            value={s.category}
            onChange={(v) => set("category", v)}
            testId="tpl-cat"
          />
        </div>
        <TextField label={t("templates.header")} id="tpl-header" value={s.header} onChange={(e) => set("header", e.target.value)} />
        <TextAreaField label={t("templates.body")} hint={t("templates.bodyHint")} id="tpl-body" value={s.body} aria-describedby="tpl-body-hint" onChange={(e) => set("body", e.target.value)} />
        {numbers.length > 0 && (
          <fieldset className="ulak-fieldset">
            <legend>{t("templates.samples")}</legend>
            <div className="ulak-grid">
              {numbers.map((n) => (
                <TextField key={n} label={t("templates.sampleFor", { n })} id={`tpl-sample-${n}`} value={s.samples[String(n)] ?? ""} onChange={(e) => set("samples", { ...s.samples, [String(n)]: e.target.value })} />
              ))}
            </div>
          </fieldset>
        )}
        <TextField label={t("templates.footer")} id="tpl-footer" value={s.footer} onChange={(e) => set("footer", e.target.value)} />
        <fieldset className="ulak-fieldset">
          <legend>{t("preview.buttons")}</legend>
          {s.buttons.map((b, i) => (
            <Box key={i} display="flex" gap={2} alignItems="flex-end" flexWrap="wrap">
              <SelectField
                label={t("templates.buttonType")}
                options={[
                  { value: "QUICK_REPLY" as const, label: t("templates.quickReply") },
                  { value: "URL" as const, label: t("templates.urlButton") },
                ]}
                value={b.type}
                onChange={(type) => setButton(i, { type })}
              />
              <TextField label={t("templates.buttonText")} id={`tpl-btn-text-${i}`} value={b.text} onChange={(e) => setButton(i, { text: e.target.value })} />
              {b.type === "URL" && (
                <TextField label={t("templates.buttonUrl")} id={`tpl-btn-url-${i}`} type="url" value={b.url} onChange={(e) => setButton(i, { url: e.target.value })} />
              )}
              <Button type="button" variant="tertiary" onClick={() => set("buttons", s.buttons.filter((_, j) => j !== i))}>
                {t("rule.remove")}
              </Button>
            </Box>
          ))}
          <Box marginTop={2}>
            <Button type="button" variant="secondary" onClick={() => set("buttons", [...s.buttons, { type: "QUICK_REPLY", text: "", url: "" }])}>
              {t("templates.addButton")}
            </Button>
          </Box>
        </fieldset>
        <Box aria-live="polite" data-testid="template-problems">
          {!touched ? (
            <Text size={3} color="default2">
              {t("templates.startTyping")}
            </Text>
          ) : problems.length === 0 ? (
            <Text size={3} color="success1">
              {t("templates.valid")}
            </Text>
          ) : (
            <ul className="ulak-errors">
              {problems.map((p, i) => (
                <li key={`${p.path}-${p.code}-${i}`}>
                  <Text size={3} color={p.severity === "error" ? "critical1" : "warning1"}>
                    {locale === "tr" ? p.message_tr : p.message_en}
                  </Text>
                </li>
              ))}
            </ul>
          )}
        </Box>
        <Box>
          <Button type="submit" disabled={blocking.length > 0 || submitting}>
            {t("templates.submit")}
          </Button>
        </Box>
      </Box>
      <Box display="flex" flexDirection="column" gap={2} position="sticky" __top="16px">
        <Text as="h4" size={4} fontWeight="bold">
          {t("templates.preview")}
        </Text>
        {s.body.trim() || s.header.trim() ? (
          <TemplatePreview template={template} values={values} />
        ) : (
          <p className="ulak-preview-empty">{t("templates.previewEmpty")}</p>
        )}
      </Box>
    </div>
  );
}
