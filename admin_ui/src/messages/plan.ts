/** The plan quota's words, TR and EN (merged into the one dictionary by ../i18n). */
export const en = {
  "quota.nearlyTitle": "{percent}% of this month's marketing quota is used",
  "quota.nearlyBody": "{used} of {total} marketing messages sent. When the quota is used up, marketing messages (campaigns, cart recovery) wait until {date} or until you upgrade the plan. Order updates are never held.",
  "quota.fullTitle": "This month's marketing quota is used up",
  "quota.fullBody": "{used} of {total} marketing messages sent. {held} marketing messages are waiting: they go out on {date}, or at once when you upgrade the plan. Order updates are not affected.",
  "quota.upgrade": "Upgrade the plan under Settings → Plan and usage.",
} as const;

export const tr: Record<keyof typeof en, string> = {
  "quota.nearlyTitle": "Bu ayın pazarlama kotasının %{percent} kadarı kullanıldı",
  "quota.nearlyBody": "{total} pazarlama mesajının {used} tanesi gönderildi. Kota dolunca pazarlama mesajları (kampanyalar, sepet hatırlatmaları) {date} tarihine ya da paketinizi yükseltene kadar bekler. Sipariş bildirimleri hiç bekletilmez.",
  "quota.fullTitle": "Bu ayın pazarlama kotası doldu",
  "quota.fullBody": "{total} pazarlama mesajının {used} tanesi gönderildi. {held} pazarlama mesajı bekliyor: {date} tarihinde ya da paketinizi yükselttiğiniz anda gönderilir. Sipariş bildirimleri etkilenmez.",
  "quota.upgrade": "Paketinizi Ayarlar → Paket ve kullanım bölümünden yükseltin.",
};
