export {
  Behaviour,
  normalizeRecipient,
  type ActiveRule,
  type BehaviourRule,
  type CallbackOrder,
  type CallbackPlan,
  type Fault,
} from './behaviour';
export { runControlCommand, ControlError, type ControlCommand, type Controllable } from './control';
export type { WebhookDelivery } from './http';
export type { RequestLogEntry } from './request-log';
export type { StandInLog } from './log';
export {
  startTwilioStandIn,
  type TwilioStandIn,
  type TwilioStandInOptions,
  type SimulateTwilioInbound,
  type InboundResult,
} from './twilio/twilio-stand-in';
/** The twilio SDK pointed at a stand-in: `twilio(sid, token, { httpClient: new StandInTwilioRequestClient(url) })`. */
export { ApiBaseRequestClient as StandInTwilioRequestClient } from '@switchboard/twilio-client';
export type { TwilioMessage, TwilioMessageStatus } from './twilio/messages';
export {
  startWhatsAppStandIn,
  type WhatsAppStandIn,
  type WhatsAppStandInOptions,
  type SentWhatsAppMessage,
  type SimulateWhatsAppInbound,
  type SimulateTemplateStatus,
  type WebhookResult,
} from './whatsapp/whatsapp-stand-in';
export { performWebhookHandshake, signPayload, verifyPayloadSignature, type HandshakeResult } from './whatsapp/webhooks';
export type { TemplateDefinition, TemplateStatus, TemplateCategory } from './whatsapp/validation';
export { startSmtpStandIn, type SmtpStandIn, type SmtpStandInOptions, type ReceivedMail } from './smtp/smtp-stand-in';
export {
  startProviderStandIns,
  DEV_CREDENTIALS,
  type ProviderStandIns,
  type ProviderStandInsOptions,
} from './stand-ins';
