/** A WhatsApp message template in Meta's component structure (Cloud API `message_templates`). */

export type TemplateCategory = "MARKETING" | "UTILITY" | "AUTHENTICATION";
export type HeaderFormat = "TEXT" | "IMAGE" | "VIDEO" | "DOCUMENT" | "LOCATION";
export type ButtonType = "QUICK_REPLY" | "URL" | "PHONE_NUMBER" | "COPY_CODE";

export interface HeaderComponent {
  type: "HEADER";
  format: HeaderFormat;
  text?: string;
  /** Meta: `header_text` samples for a TEXT header's variable, `header_handle` for media. */
  example?: { header_text?: string[]; header_handle?: string[] };
}

export interface BodyComponent {
  type: "BODY";
  text: string;
  /** Meta: one sample value per variable, `body_text: [["Ayşe", "#1042"]]`. */
  example?: { body_text?: string[][] };
}

export interface FooterComponent {
  type: "FOOTER";
  text: string;
}

export interface TemplateButton {
  type: ButtonType;
  text: string;
  url?: string;
  phone_number?: string;
  /** Meta: sample(s) for a URL button's variable, or the code of a COPY_CODE button. */
  example?: string[] | string;
}

export interface ButtonsComponent {
  type: "BUTTONS";
  buttons: TemplateButton[];
}

export type TemplateComponent = HeaderComponent | BodyComponent | FooterComponent | ButtonsComponent;

export interface WhatsAppTemplate {
  name: string;
  language: string;
  category: TemplateCategory;
  components: TemplateComponent[];
}

/** Values for the placeholders, keyed by variable number ("1", "2", …). */
export type VariableValues = Readonly<Record<string, string | undefined>>;

export interface TemplateValues {
  header?: VariableValues;
  body?: VariableValues;
  /** Keyed by the button's index inside the BUTTONS component. */
  buttons?: Readonly<Record<number, VariableValues>>;
}

export function findComponent<T extends TemplateComponent["type"]>(
  template: WhatsAppTemplate,
  type: T,
): { component: Extract<TemplateComponent, { type: T }>; index: number } | undefined {
  const index = template.components.findIndex((c) => c.type === type);
  if (index < 0) return undefined;
  return { component: template.components[index] as Extract<TemplateComponent, { type: T }>, index };
}

/** The template's own sample values (Meta's `example` fields) as preview values. */
export function examplesAsValues(template: WhatsAppTemplate): TemplateValues {
  const toValues = (list: readonly string[] | undefined): Record<string, string> =>
    Object.fromEntries((list ?? []).map((v, i) => [String(i + 1), v]));
  const header = findComponent(template, "HEADER")?.component;
  const body = findComponent(template, "BODY")?.component;
  const buttons = findComponent(template, "BUTTONS")?.component;
  const buttonValues: Record<number, VariableValues> = {};
  buttons?.buttons.forEach((b, i) => {
    if (b.type === "URL" && b.example !== undefined) {
      buttonValues[i] = toValues(Array.isArray(b.example) ? b.example : [b.example]);
    }
  });
  return {
    header: toValues(header?.example?.header_text),
    body: toValues(body?.example?.body_text?.[0]),
    buttons: buttonValues,
  };
}
