/** The flows page's words, TR and EN (merged into the one dictionary by ../i18n). */
export const en = {
  "flow.cart_recovery": "Cart recovery",
  "flow.order_created": "Order confirmation",
  "flow.order_fulfilled": "Shipping update",
  "flow.other": "Flow",
  "flows.on": "On",
  "flows.off": "Off",
  "flows.channel": "Channel: {channel}",
  "flows.step": "After {delay} min: {template}",
  "flows.funnel": "Funnel",
};

export const tr: Record<keyof typeof en, string> = {
  "flow.cart_recovery": "Sepet hatırlatma",
  "flow.order_created": "Sipariş onayı",
  "flow.order_fulfilled": "Kargo bildirimi",
  "flow.other": "Akış",
  "flows.on": "Açık",
  "flows.off": "Kapalı",
  "flows.channel": "Kanal: {channel}",
  "flows.step": "{delay} dk sonra: {template}",
  "flows.funnel": "Dönüşüm hunisi",
};
