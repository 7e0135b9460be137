/**
 * The template editor: fields on the left, the live WhatsApp-style preview on the right.
 * Every keystroke re-runs validateTemplate (Meta's rules) and redraws the preview with the
 * sample values the merchant gives for each {{n}} variable.
 */
import { Box, Button, Text } from "@saleor/macaw-ui";
import { useState } from "react";
import { useFieldArray, useForm } from "react-hook-form";
import { FormSelectField, useOnEdit } from "../components/formFields";
import { TextAreaField, TextField } from "../components/ui";
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

/** The form's state is react-hook-form's; the buttons are its field array, the samples a record keyed by variable number. */
export function TemplateEditor({ onSubmit, submitting }: { onSubmit: (template: WhatsAppTemplate) => void; submitting?: boolean }) {
  const t = useT();
  const locale = useLocale();
  const { control, register, handleSubmit, watch } = useForm<EditorState>({ defaultValues: EMPTY_EDITOR });
  const { fields, append, remove } = useFieldArray({ control, name: "buttons" });
  // macaw-ui floats its label only over a field that has a value, and the preview redraws on
  // every keystroke, so the whole form is watched.
  const s = watch();
  // Problems show once the merchant has started writing, not on an empty form.
  const [touched, setTouched] = useState(false);
  useOnEdit(watch, () => setTouched(true));
  const template = editorToTemplate(s);
  const problems = validateTemplate(template);
  const blocking = problems.filter((p) => p.severity === "error");
  const numbers = variableNumbers(s.body).sort((a, b) => a - b);
  const values = { body: s.samples };
  const submit = handleSubmit((form) => {
    const built = editorToTemplate(form);
    if (!validateTemplate(built).some((p) => p.severity === "error")) onSubmit(built);
  });

  return (
    <div className="ulak-split">
      <Box
        as="form"
        aria-label={t("templates.editor")}
        display="flex"
        flexDirection="column"
        gap={3}
        onSubmit={submit}
      >
        <div className="ulak-grid">
          <TextField label={t("templates.name")} hint={t("templates.nameHint")} id="tpl-name" value={s.name} aria-describedby="tpl-name-hint" {...register("name")} />
          <FormSelectField control={control} name="language" label={t("templates.language")} options={LANGUAGES} testId="tpl-lang" />
          <FormSelectField control={control} name="category" label={t("templates.category")} options={CATEGORIES.map((c) => ({ value: c, label: t(`category.${c}`) }))} testId="tpl-cat" />
        </div>
        <TextField label={t("templates.header")} id="tpl-header" value={s.header} {...register("header")} />
        <TextAreaField label={t("templates.body")} hint={t("templates.bodyHint")} id="tpl-body" value={s.body} aria-describedby="tpl-body-hint" {...register("body")} />
        {numbers.length > 0 && (
          <fieldset className="ulak-fieldset">
            <legend>{t("templates.samples")}</legend>
            <div className="ulak-grid">
              {numbers.map((n) => (
                <TextField key={n} label={t("templates.sampleFor", { n })} id={`tpl-sample-${n}`} value={s.samples[String(n)] ?? ""} {...register(`samples.${n}`)} />
              ))}
            </div>
          </fieldset>
        )}
        <TextField label={t("templates.footer")} id="tpl-footer" value={s.footer} {...register("footer")} />
        <fieldset className="ulak-fieldset">
          <legend>{t("preview.buttons")}</legend>
          {fields.map((row, i) => {
            const b = s.buttons[i] ?? row;
            return (
              <Box key={row.id} display="flex" gap={2} alignItems="flex-end" flexWrap="wrap">
                <FormSelectField
                  control={control}
                  name={`buttons.${i}.type`}
                  label={t("templates.buttonType")}
                  options={[
                    { value: "QUICK_REPLY" as const, label: t("templates.quickReply") },
                    { value: "URL" as const, label: t("templates.urlButton") },
                  ]}
                />
                <TextField label={t("templates.buttonText")} id={`tpl-btn-text-${i}`} value={b.text} {...register(`buttons.${i}.text`)} />
                {b.type === "URL" && <TextField label={t("templates.buttonUrl")} id={`tpl-btn-url-${i}`} type="url" value={b.url} {...register(`buttons.${i}.url`)} />}
                <Button
                  type="button"
                  variant="tertiary"
                  onClick={() => {
                    remove(i);
                    setTouched(true);
                  }}
                >
                  {t("rule.remove")}
                </Button>
              </Box>
            );
          })}
          <Box marginTop={2}>
            <Button
              type="button"
              variant="secondary"
              onClick={() => {
                // No focus move: the editor never moved it when a button row was added.
                append({ type: "QUICK_REPLY", text: "", url: "" }, { shouldFocus: false });
                setTouched(true);
              }}
            >
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
