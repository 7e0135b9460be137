/**
 * Meta's messaging limit in words (TR and EN): the moving 24-hour window of people reached with
 * business-initiated messages, the share campaigns may use and the reserve kept for order
 * updates. The figures come from the admin API's `messagingLimit` (plugin/delivery/window.py).
 */
export const en = {
  "limit.title": "Meta's messaging limit",
  "limit.tier": "Up to {tier} people in any 24 hours",
  "limit.unlimited": "No limit on the people you can message",
  "limit.used": "Reached in the last 24 hours: {used}",
  "limit.campaigns": "Campaigns may still reach {count} more",
  "limit.reserve": "{count} kept for order updates",
  "limit.orders": "Order updates may reach {count} more",
  "limit.nextFree": "Next place frees at {at}",
  "limit.throughput": "Speed: {mps} messages per second",
  "limit.readAt": "Read from Meta at {at}",
  "limit.help": "Meta counts each person once in any 24 hours, and only messages you start (not replies inside a customer's 24-hour window).",
  "settings.tierReserve": "Share of Meta's limit kept for order updates (%)",
  "settings.tierReserveHint": "Campaigns stop short of it so order updates always go out; at least 50 people, at most half the limit. 0 turns it off.",
};

export const tr: Record<keyof typeof en, string> = {
  "limit.title": "Meta mesajlaşma sınırı",
  "limit.tier": "Herhangi bir 24 saatte en fazla {tier} kişi",
  "limit.unlimited": "Mesaj gönderebileceğiniz kişi sayısında sınır yok",
  "limit.used": "Son 24 saatte ulaşılan: {used}",
  "limit.campaigns": "Kampanyalar {count} kişiye daha ulaşabilir",
  "limit.reserve": "{count} kişilik pay sipariş bildirimlerine ayrıldı",
  "limit.orders": "Sipariş bildirimleri {count} kişiye daha ulaşabilir",
  "limit.nextFree": "Sıradaki yerin açılacağı zaman: {at}",
  "limit.throughput": "Hız: saniyede {mps} mesaj",
  "limit.readAt": "Meta'dan okunma: {at}",
  "limit.help": "Meta her kişiyi 24 saat içinde bir kez sayar ve yalnızca sizin başlattığınız mesajları sayar (müşterinin 24 saatlik penceresindeki yanıtlar sayılmaz).",
  "settings.tierReserve": "Meta sınırında sipariş bildirimlerine ayrılan pay (%)",
  "settings.tierReserveHint": "Kampanyalar bu payın önünde durur, sipariş bildirimleri her zaman gider; en az 50 kişi, en fazla sınırın yarısı. 0 kapatır.",
};
