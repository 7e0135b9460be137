/**
 * The wizard's second step: one approved template, or up to four variants (an A/B test), each
 * with the contact field that fills each body variable and a fallback text, drawn beside the
 * template's preview. The variants are the wizard form's field array.
 */
import { Box, Button, Text } from "@saleor/macaw-ui";
import { Controller, useFieldArray, useFormContext } from "react-hook-form";
import { FormSelectField, useProblem } from "../components/formFields";
import { SelectField, TextField } from "../components/ui";
import { useT, type MessageKey } from "../i18n";
import { PlanLock } from "../plans/PlanLock";
import { TemplatePreview } from "../templates/TemplatePreview";
import { examplesAsValues } from "../templates/types";
import { PERSONAL_FIELDS, type PersonalField, type TemplateOption } from "./types";
import { bodyVariables, emptyVariant, VARIANT_KEYS, type WizardValues } from "./wizardForm";

const FIELD_LABELS: Record<PersonalField, MessageKey> = { first_name: "field.first_name", last_name: "field.last_name" };

export function TemplateStep({ templates }: { templates: TemplateOption[] }) {
  const t = useT();
  const { control, register, watch, setValue } = useFormContext<WizardValues>();
  const { fields, append, remove } = useFieldArray({ control, name: "variants" });
  const problem = useProblem<WizardValues>();
  const variants = watch("variants");
  const templateLabel = (o: TemplateOption) =>
    `${o.name} · ${o.language} · ${["MARKETING", "UTILITY", "AUTHENTICATION"].includes(o.category) ? t(`category.${o.category}` as MessageKey) : o.category}`;
  return (
    <Box display="flex" flexDirection="column" gap={3}>
      <Text as="p" size={3} color="default2">
        {t("campaigns.templateStep")}
      </Text>
      {templates.length === 0 && (
        <Text size={3}>
          {t("campaigns.noTemplates")} <a href="#/templates">{t("page.templates")}</a>
        </Text>
      )}
      {fields.map((row, i) => {
        const key = VARIANT_KEYS[i]!;
        const v = variants[i] ?? emptyVariant();
        const option = templates.find((o) => o.id === v.templateId);
        const numbers = option ? bodyVariables(option.template) : [];
        const usedFields = [...new Set(v.bodyFields)];
        const shareProblem = problem(`variants.${i}.share`);
        return (
          <fieldset key={row.id} className="ulak-fieldset">
            <legend>{t("campaigns.variant", { variant: key })}</legend>
            <div className="ulak-split">
              <Box display="flex" flexDirection="column" gap={3}>
                <Controller
                  control={control}
                  name={`variants.${i}.templateId`}
                  render={({ field }) => (
                    <SelectField
                      label={t("campaigns.templateFor", { variant: key })}
                      options={[{ value: "", label: t("campaigns.chooseTemplate") }, ...templates.map((o) => ({ value: o.id, label: templateLabel(o) }))]}
                      value={field.value}
                      invalid={Boolean(problem(`variants.${i}.templateId`))}
                      hint={problem(`variants.${i}.templateId`)}
                      onChange={(id) => {
                        // a new template brings its own variables: each starts as the first name
                        const fresh = emptyVariant(templates.find((o) => o.id === id));
                        setValue(`variants.${i}.bodyFields`, fresh.bodyFields);
                        setValue(`variants.${i}.fallbacks`, fresh.fallbacks);
                        field.onChange(id);
                      }}
                      testId={`variant-${key}-template`}
                    />
                  )}
                />
                {numbers.map((n, j) => (
                  <FormSelectField
                    key={n}
                    control={control}
                    name={`variants.${i}.bodyFields.${j}`}
                    label={t("campaigns.fillVariable", { n, variant: key })}
                    options={PERSONAL_FIELDS.map((f) => ({ value: f, label: t(FIELD_LABELS[f]) }))}
                    testId={`variant-${key}-var-${n}`}
                  />
                ))}
                {usedFields.map((f) => (
                  <TextField
                    key={f}
                    label={t("campaigns.fallback", { field: t(FIELD_LABELS[f]), variant: key })}
                    hint={t("campaigns.fallbackHint")}
                    id={`variant-${key}-fallback-${f}`}
                    value={v.fallbacks[f] ?? ""}
                    {...register(`variants.${i}.fallbacks.${f}`)}
                  />
                ))}
                {fields.length > 1 && (
                  <TextField
                    label={t("campaigns.share", { variant: key })}
                    id={`variant-${key}-share`}
                    type="number"
                    min={1}
                    max={100}
                    value={v.share}
                    aria-invalid={Boolean(shareProblem) || undefined}
                    hint={shareProblem}
                    {...register(`variants.${i}.share`)}
                  />
                )}
                {fields.length > 1 && (
                  <Box>
                    <Button type="button" variant="secondary" onClick={() => remove(i)}>
                      {t("campaigns.removeVariant", { variant: key })}
                    </Button>
                  </Box>
                )}
              </Box>
              {option && <TemplatePreview template={option.template} values={examplesAsValues(option.template)} />}
            </div>
          </fieldset>
        );
      })}
      <PlanLock feature="ab_testing" />
      {fields.length < VARIANT_KEYS.length && (
        <Box>
          <Button type="button" variant="secondary" onClick={() => append(emptyVariant(), { shouldFocus: false })}>
            {t("campaigns.addVariant")}
          </Button>
        </Box>
      )}
      {fields.length > 1 && (
        <Text size={3} color="default2">
          {t("campaigns.abHint")}
        </Text>
      )}
    </Box>
  );
}
