import type { SubgraphRoute } from '@switchboard/subgraph-kit';
import { createTwilioWebhooks, type TwilioWebhookDeps } from './twilio';
import { createWhatsAppWebhooks, type WhatsAppWebhookDeps } from './whatsapp';

/** Where providers call us (relative to the messaging server's public URL). */
export const WEBHOOK_PATHS = {
  twilioStatus: '/webhooks/twilio/status',
  twilioInbound: '/webhooks/twilio/inbound',
  whatsapp: '/webhooks/whatsapp',
} as const;

export type WebhookDeps = TwilioWebhookDeps & Omit<WhatsAppWebhookDeps, 'store' | 'statuses' | 'inbound' | 'log'>;

/** The raw HTTP routes of the messaging server: served without the gateway's caller check, each verifying its provider's signature. */
export function webhookRoutes(deps: WebhookDeps): SubgraphRoute[] {
  const twilio = createTwilioWebhooks(deps);
  const whatsapp = createWhatsAppWebhooks(deps);
  return [
    { method: 'POST', path: WEBHOOK_PATHS.twilioStatus, handler: twilio.status },
    { method: 'POST', path: WEBHOOK_PATHS.twilioInbound, handler: twilio.inbound },
    { method: 'GET', path: WEBHOOK_PATHS.whatsapp, handler: whatsapp.handshake },
    { method: 'POST', path: WEBHOOK_PATHS.whatsapp, handler: whatsapp.events },
  ];
}
