/**
 * WhatsApp's customer-service window: a business may send free-form messages to a person only
 * within 24 hours of that person's last message to the same business number. Outside it, only
 * approved templates may be sent.
 */
export const WHATSAPP_WINDOW_MS = 24 * 60 * 60 * 1000;

export type WindowState = { open: true; closesAt: Date } | { open: false; closedAt: Date | null };

/** The window at `now`, given the contact's last inbound message on the number (null: never wrote). */
export function whatsAppWindow(lastInboundAt: Date | null, now: Date): WindowState {
  if (lastInboundAt === null) return { open: false, closedAt: null };
  const closesAt = new Date(lastInboundAt.getTime() + WHATSAPP_WINDOW_MS);
  return now.getTime() < closesAt.getTime() ? { open: true, closesAt } : { open: false, closedAt: closesAt };
}
