/**
 * As-you-type checks of a WhatsApp template against Meta's rules, so a merchant sees the
 * problem before Meta rejects the template. Each error names where (`path`, into the
 * template object: "components.1.text"), what (`code`, stable for tests and the backend)
 * and says it in both languages.
 */
import { findPlaceholders, variableNumbers } from "./variables";
import type { ButtonsComponent, TemplateButton, WhatsAppTemplate } from "./types";

export type TemplateErrorCode =
  | "name_required"
  | "name_format"
  | "name_too_long"
  | "language_required"
  | "body_required"
  | "body_too_long"
  | "header_text_required"
  | "header_too_long"
  | "header_too_many_variables"
  | "footer_too_long"
  | "footer_variables_not_allowed"
  | "variable_malformed"
  | "variables_not_sequential"
  | "variable_at_start"
  | "variable_at_end"
  | "sample_missing"
  | "too_many_buttons"
  | "button_text_required"
  | "quick_reply_too_long"
  | "button_text_too_long"
  | "too_many_url_buttons"
  | "too_many_phone_buttons"
  | "too_many_copy_code_buttons"
  | "url_required"
  | "url_not_https"
  | "url_too_long"
  | "url_too_many_variables"
  | "url_variable_not_at_end"
  | "phone_required"
  | "multiple_calls_to_action";

export interface TemplateError {
  path: string;
  code: TemplateErrorCode;
  message_en: string;
  message_tr: string;
  /** "warning" does not block submission (Meta accepts it, but it is bad practice). */
  severity: "error" | "warning";
}

export const LIMITS = {
  name: 512,
  body: 1024,
  header: 60,
  footer: 60,
  buttons: 10,
  quickReply: 25,
  buttonText: 25,
  urlButtons: 2,
  phoneButtons: 1,
  copyCodeButtons: 1,
  url: 2000,
} as const;

export function validateTemplate(t: WhatsAppTemplate): TemplateError[] {
  const errors: TemplateError[] = [];
  const add = (
    path: string,
    code: TemplateErrorCode,
    message_en: string,
    message_tr: string,
    severity: "error" | "warning" = "error",
  ) => errors.push({ path, code, message_en, message_tr, severity });

  // name
  if (!t.name) {
    add("name", "name_required", "The template needs a name.", "Şablonun bir adı olmalı.");
  } else {
    if (!/^[a-z0-9_]+$/.test(t.name)) {
      add(
        "name",
        "name_format",
        "Use only lowercase letters a–z, digits and underscores in the name.",
        "Adda yalnızca küçük harf (a–z), rakam ve alt çizgi kullanın.",
      );
    }
    if (t.name.length > LIMITS.name) {
      add(
        "name",
        "name_too_long",
        `The name can be at most ${LIMITS.name} characters (now ${t.name.length}).`,
        `Ad en fazla ${LIMITS.name} karakter olabilir (şu an ${t.name.length}).`,
      );
    }
  }
  if (!t.language) {
    add("language", "language_required", "Choose the template's language.", "Şablonun dilini seçin.");
  }

  t.components.forEach((c, i) => {
    const base = `components.${i}`;
    switch (c.type) {
      case "HEADER": {
        if (c.format !== "TEXT") {
          if (c.format !== "LOCATION" && !c.example?.header_handle?.[0]) {
            add(
              `${base}.example`,
              "sample_missing",
              "Upload a sample file for the media header.",
              "Medya başlığı için örnek bir dosya yükleyin.",
            );
          }
          break;
        }
        const text = c.text ?? "";
        if (!text.trim()) {
          add(`${base}.text`, "header_text_required", "Write the header text.", "Başlık metnini yazın.");
          break;
        }
        if (text.length > LIMITS.header) {
          add(
            `${base}.text`,
            "header_too_long",
            `The header can be at most ${LIMITS.header} characters (now ${text.length}).`,
            `Başlık en fazla ${LIMITS.header} karakter olabilir (şu an ${text.length}).`,
          );
        }
        const vars = checkVariables(text, `${base}.text`, add);
        if (findPlaceholders(text).length > 1) {
          add(
            `${base}.text`,
            "header_too_many_variables",
            "The header can have at most one variable.",
            "Başlıkta en fazla bir değişken olabilir.",
          );
        }
        vars.forEach((n) => {
          if (!c.example?.header_text?.[n - 1]) {
            add(
              `${base}.example.header_text.${n - 1}`,
              "sample_missing",
              `Give a sample value for the header variable {{${n}}}.`,
              `Başlıktaki {{${n}}} değişkeni için örnek bir değer girin.`,
            );
          }
        });
        break;
      }
      case "BODY": {
        const text = c.text ?? "";
        if (!text.trim()) {
          add(`${base}.text`, "body_required", "The message body is required.", "Mesaj gövdesi zorunludur.");
          break;
        }
        if (text.length > LIMITS.body) {
          add(
            `${base}.text`,
            "body_too_long",
            `The body can be at most ${LIMITS.body} characters (now ${text.length}).`,
            `Gövde en fazla ${LIMITS.body} karakter olabilir (şu an ${text.length}).`,
          );
        }
        const vars = checkVariables(text, `${base}.text`, add);
        const trimmed = text.trim();
        if (/^\{\{[^{}]*\}\}/.test(trimmed)) {
          add(
            `${base}.text`,
            "variable_at_start",
            "The body cannot start with a variable; add some text before it.",
            "Gövde bir değişkenle başlayamaz; önüne biraz metin ekleyin.",
          );
        }
        if (/\{\{[^{}]*\}\}$/.test(trimmed)) {
          add(
            `${base}.text`,
            "variable_at_end",
            "The body cannot end with a variable; add some text after it.",
            "Gövde bir değişkenle bitemez; arkasına biraz metin ekleyin.",
          );
        }
        const samples = c.example?.body_text?.[0] ?? [];
        vars.forEach((n) => {
          if (!samples[n - 1]) {
            add(
              `${base}.example.body_text.0.${n - 1}`,
              "sample_missing",
              `Give a sample value for the variable {{${n}}}.`,
              `{{${n}}} değişkeni için örnek bir değer girin.`,
            );
          }
        });
        break;
      }
      case "FOOTER": {
        const text = c.text ?? "";
        if (text.length > LIMITS.footer) {
          add(
            `${base}.text`,
            "footer_too_long",
            `The footer can be at most ${LIMITS.footer} characters (now ${text.length}).`,
            `Alt bilgi en fazla ${LIMITS.footer} karakter olabilir (şu an ${text.length}).`,
          );
        }
        if (findPlaceholders(text).length > 0) {
          add(
            `${base}.text`,
            "footer_variables_not_allowed",
            "The footer cannot contain variables.",
            "Alt bilgide değişken kullanılamaz.",
          );
        }
        break;
      }
      case "BUTTONS":
        checkButtons(c, base, add);
        break;
    }
  });

  if (!t.components.some((c) => c.type === "BODY")) {
    add("components", "body_required", "The message body is required.", "Mesaj gövdesi zorunludur.");
  }
  return errors;
}

type Add = (
  path: string,
  code: TemplateErrorCode,
  message_en: string,
  message_tr: string,
  severity?: "error" | "warning",
) => void;

/** Flags malformed and non-consecutive placeholders; returns the variable numbers used. */
function checkVariables(text: string, path: string, add: Add): number[] {
  for (const p of findPlaceholders(text)) {
    if (p.n === null) {
      add(
        path,
        "variable_malformed",
        `${p.raw} is not a valid variable; write variables as {{1}}, {{2}}, …`,
        `${p.raw} geçerli bir değişken değil; değişkenleri {{1}}, {{2}}, … biçiminde yazın.`,
      );
    }
  }
  const nums = variableNumbers(text);
  const sorted = [...nums].sort((a, b) => a - b);
  const consecutive = sorted.every((n, i) => n === i + 1);
  if (!consecutive) {
    const expected = sorted.map((_, i) => `{{${i + 1}}}`).join(", ");
    add(
      path,
      "variables_not_sequential",
      `Number the variables consecutively from {{1}} (expected ${expected}).`,
      `Değişkenleri {{1}}'den başlayarak sırayla numaralandırın (beklenen: ${expected}).`,
    );
  }
  return sorted;
}

function checkButtons(c: ButtonsComponent, base: string, add: Add): void {
  const buttons = c.buttons ?? [];
  if (buttons.length > LIMITS.buttons) {
    add(
      `${base}.buttons`,
      "too_many_buttons",
      `A template can have at most ${LIMITS.buttons} buttons (now ${buttons.length}).`,
      `Bir şablonda en fazla ${LIMITS.buttons} buton olabilir (şu an ${buttons.length}).`,
    );
  }
  const count = (type: TemplateButton["type"]) => buttons.filter((b) => b.type === type).length;
  if (count("URL") > LIMITS.urlButtons) {
    add(
      `${base}.buttons`,
      "too_many_url_buttons",
      `At most ${LIMITS.urlButtons} website (URL) buttons are allowed.`,
      `En fazla ${LIMITS.urlButtons} web sitesi (URL) butonu eklenebilir.`,
    );
  }
  if (count("PHONE_NUMBER") > LIMITS.phoneButtons) {
    add(
      `${base}.buttons`,
      "too_many_phone_buttons",
      "At most one phone number button is allowed.",
      "En fazla bir telefon numarası butonu eklenebilir.",
    );
  }
  if (count("COPY_CODE") > LIMITS.copyCodeButtons) {
    add(
      `${base}.buttons`,
      "too_many_copy_code_buttons",
      "At most one copy-code button is allowed.",
      "En fazla bir kod kopyalama butonu eklenebilir.",
    );
  }
  if (count("URL") + count("PHONE_NUMBER") > 1) {
    add(
      `${base}.buttons`,
      "multiple_calls_to_action",
      "More than one call-to-action button (website or phone): keep one main call to action so the customer knows what to do.",
      "Birden fazla eylem çağrısı butonu var (web sitesi veya telefon): müşterinin ne yapacağını bilmesi için tek bir ana eylem çağrısı bırakın.",
      "warning",
    );
  }

  buttons.forEach((b, j) => {
    const path = `${base}.buttons.${j}`;
    const text = b.text ?? "";
    if (!text.trim()) {
      add(`${path}.text`, "button_text_required", "Write the button's text.", "Butonun metnini yazın.");
    } else if (b.type === "QUICK_REPLY" && text.length > LIMITS.quickReply) {
      add(
        `${path}.text`,
        "quick_reply_too_long",
        `A quick reply can be at most ${LIMITS.quickReply} characters (now ${text.length}).`,
        `Hızlı yanıt en fazla ${LIMITS.quickReply} karakter olabilir (şu an ${text.length}).`,
      );
    } else if (text.length > LIMITS.buttonText) {
      add(
        `${path}.text`,
        "button_text_too_long",
        `Button text can be at most ${LIMITS.buttonText} characters (now ${text.length}).`,
        `Buton metni en fazla ${LIMITS.buttonText} karakter olabilir (şu an ${text.length}).`,
      );
    }
    if (b.type === "URL") checkUrlButton(b, path, add);
    if (b.type === "PHONE_NUMBER" && !b.phone_number?.trim()) {
      add(`${path}.phone_number`, "phone_required", "Enter the phone number.", "Telefon numarasını girin.");
    }
  });
}

function checkUrlButton(b: TemplateButton, path: string, add: Add): void {
  const url = b.url ?? "";
  if (!url.trim()) {
    add(`${path}.url`, "url_required", "Enter the website address.", "Web sitesi adresini girin.");
    return;
  }
  const local = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/i.test(url.trim());
  if (!local && !/^https:\/\/[^\s/?#{}]+/i.test(url.trim())) {
    // a button opens in the customer's browser: never over plain http or another scheme
    // (http only to loopback, where the dev demo's sandbox links point)
    add(`${path}.url`, "url_not_https", "The address must start with https:// and a domain name.", "Adres https:// ve bir alan adıyla başlamalı.");
  }
  if (url.length > LIMITS.url) {
    add(
      `${path}.url`,
      "url_too_long",
      `The address can be at most ${LIMITS.url} characters (now ${url.length}).`,
      `Adres en fazla ${LIMITS.url} karakter olabilir (şu an ${url.length}).`,
    );
  }
  const placeholders = findPlaceholders(url);
  if (placeholders.length > 1) {
    add(
      `${path}.url`,
      "url_too_many_variables",
      "A website address can have at most one variable.",
      "Web sitesi adresinde en fazla bir değişken olabilir.",
    );
  }
  const first = placeholders[0];
  if (first) {
    if (placeholders.length === 1 && first.end !== url.length) {
      add(
        `${path}.url`,
        "url_variable_not_at_end",
        "The variable must be at the end of the address, e.g. https://shop.example/track/{{1}}.",
        "Değişken adresin sonunda olmalı, örneğin https://magaza.example/takip/{{1}}.",
      );
    }
    if (first.n !== 1) {
      add(
        `${path}.url`,
        "variable_malformed",
        `Write the address variable as {{1}}, not ${first.raw}.`,
        `Adres değişkenini ${first.raw} değil {{1}} olarak yazın.`,
      );
    }
    const sample = Array.isArray(b.example) ? b.example[0] : b.example;
    if (!sample) {
      add(
        `${path}.example`,
        "sample_missing",
        "Give a sample value for the address variable {{1}}.",
        "Adresteki {{1}} değişkeni için örnek bir değer girin.",
      );
    }
  }
}
