// WhatsApp Cloud API stand-in: the send endpoint of the Graph API, then the signed webhooks Meta
// posts (message statuses, inbound messages, template status updates).
import { playOrder, type BehaviourRule } from '../behaviour';
import { ControlError } from '../control';
import { json, parseJson, postBody, sleep, type HttpRequest, type HttpResponse, type WebhookDelivery } from '../http';
import { HttpStandInCore, type HttpStandIn } from '../http-stand-in';
import { numericId, wamid } from '../ids';
import type { StandInLog } from '../log';
import { maskRecipient } from '../mask';
import { pause } from '../tasks';
import { WHATSAPP_ERRORS, statusError } from './errors';
import { validateSend, type TemplateDefinition, type TemplateStatus, type ValidatedSend } from './validation';
import { envelope, signPayload, signPayloadSha1, type WebhookMetadata } from './webhooks';

export interface WhatsAppStandInOptions {
  /** The access token the app sends as `Authorization: Bearer …`. */
  token: string;
  /** Signs webhooks (X-Hub-Signature-256). */
  appSecret: string;
  /** The app's webhook endpoint; without it, webhooks are recorded as undeliverable. */
  webhookUrl?: string;
  phoneNumberId?: string;
  displayPhoneNumber?: string;
  /** WhatsApp Business Account id (`entry[].id`). */
  wabaId?: string;
  host?: string;
  port?: number;
  /** Delay before each status webhook, in ms (default 200). */
  callbackDelayMs?: number;
  /** Post `read` after `delivered` (the recipient has read receipts on). Default true. */
  readReceipts?: boolean;
  /** Redelivery of webhooks the app did not accept with 2xx: attempts (default 3) and first backoff (default 500 ms, doubling). */
  webhookRetry?: { attempts?: number; delayMs?: number };
  /** Free-form messages outside the 24-hour window fail later with 131047. Default false. */
  enforceCustomerServiceWindow?: boolean;
  /**
   * Extra headers on every webhook POST. Meta sends none; this exists so a validating proxy that
   * insists on the OpenAPI file's `bearerAuth` (Prism on /whatsapp/webhooks) can check the bodies.
   */
  webhookHeaders?: Record<string, string>;
  /** Templates known from the start (see `registerTemplate`). */
  templates?: TemplateDefinition[];
  /** Refuse templates the stand-in does not know (132001). Default false: unknown templates are accepted. */
  strictTemplates?: boolean;
  log?: StandInLog;
}

export interface SentWhatsAppMessage {
  id: string;
  to: string;
  waId: string;
  type: string;
  template?: ValidatedSend['template'];
  status: 'accepted' | 'sent' | 'delivered' | 'read' | 'failed';
  errorCode?: number;
  createdAt: Date;
  request: Record<string, unknown>;
}

export interface SimulateWhatsAppInbound {
  /** The customer's number (wa_id), digits with or without `+`. */
  from: string;
  body?: string;
  profileName?: string;
  /** Default `text`; `image`/`document`/… send a media object instead of `text`. */
  type?: 'text' | 'image' | 'document' | 'audio' | 'video' | 'sticker' | 'button';
  media?: { id?: string; mime_type?: string; sha256?: string; caption?: string };
  button?: { payload: string; text: string };
  /** The message this one replies to (`context.id`). */
  replyTo?: string;
}

export interface SimulateTemplateStatus {
  name: string;
  language: string;
  event: TemplateStatus | 'FLAGGED' | 'REINSTATED' | 'PENDING_DELETION';
  reason?: string;
  templateId?: string;
}

export interface WebhookResult {
  /** The posted JSON body exactly as sent (what the signature covers). */
  rawBody: string;
  status?: number;
  error?: string;
  attempts: number;
}

export interface WhatsAppStandIn extends HttpStandIn {
  readonly phoneNumberId: string;
  readonly displayPhoneNumber: string;
  readonly wabaId: string;
  readonly token: string;
  readonly appSecret: string;
  /** Every webhook POST attempt (with the app's answer). */
  webhooks(): WebhookDelivery[];
  messages(): SentWhatsAppMessage[];
  message(id: string): SentWhatsAppMessage | undefined;
  registerTemplate(template: TemplateDefinition): TemplateDefinition;
  templates(): TemplateDefinition[];
  simulateInbound(input: SimulateWhatsAppInbound): Promise<{ messageId: string; webhook: WebhookResult }>;
  simulateTemplateStatus(input: SimulateTemplateStatus): Promise<WebhookResult>;
}

const WINDOW_MS = 24 * 60 * 60 * 1000;
const MESSAGE_LIMIT = 50_000;
const SEND_PATH = /^\/(v\d+\.\d+)\/([^/]+)\/messages\/?$/;

type StatusStep = { status: 'sent' | 'delivered' | 'read' | 'failed'; errorCode?: number };

export async function startWhatsAppStandIn(options: WhatsAppStandInOptions): Promise<WhatsAppStandIn> {
  const core = new HttpStandInCore('whatsapp', options.log);
  const { log, behaviour, requestLog, tasks, deliveries: webhookLog } = core;
  const sent = new Map<string, SentWhatsAppMessage>();
  const lastInbound = new Map<string, number>();
  const templates = new Map<string, TemplateDefinition>();
  const phoneNumberId = options.phoneNumberId ?? '100000000000001';
  const displayPhoneNumber = options.displayPhoneNumber ?? '15550000001';
  const wabaId = options.wabaId ?? '200000000000001';
  const metadata: WebhookMetadata = { display_phone_number: displayPhoneNumber, phone_number_id: phoneNumberId };
  const settings = {
    webhookUrl: options.webhookUrl,
    callbackDelayMs: options.callbackDelayMs ?? 200,
    readReceipts: options.readReceipts ?? true,
    retryAttempts: options.webhookRetry?.attempts ?? 3,
    retryDelayMs: options.webhookRetry?.delayMs ?? 500,
    enforceCustomerServiceWindow: options.enforceCustomerServiceWindow ?? false,
    strictTemplates: options.strictTemplates ?? false,
  };
  const templateKey = (name: string, language: string) => `${name}\u0000${language}`;
  function registerTemplate(template: TemplateDefinition): TemplateDefinition {
    const stored = { ...template, id: template.id ?? numericId(15) };
    templates.set(templateKey(template.name, template.language), stored);
    return stored;
  }
  for (const template of options.templates ?? []) registerTemplate(template);

  function tokenOf(request: HttpRequest): string | undefined {
    const header = request.headers.authorization;
    const match = header === undefined ? null : /^Bearer\s+(.+)$/i.exec(header);
    if (match) return match[1]!.trim();
    return request.query.get('access_token') ?? undefined;
  }

  async function route(request: HttpRequest): Promise<HttpResponse | undefined> {
    const match = SEND_PATH.exec(request.path);
    const token = tokenOf(request);
    if (token === undefined) {
      requestLog.record({ method: request.method, path: request.path, status: 400, code: 2500 });
      return WHATSAPP_ERRORS.missingToken();
    }
    if (token !== options.token) {
      requestLog.record({ method: request.method, path: request.path, status: 401, code: 190 });
      return WHATSAPP_ERRORS.invalidToken();
    }
    if (!match || request.method !== 'POST' || match[2] !== phoneNumberId) {
      const id = match?.[2] ?? request.path.split('/')[2] ?? request.path;
      requestLog.record({ method: request.method, path: request.path, status: 400, code: 100 });
      return WHATSAPP_ERRORS.unknownPath(id);
    }
    return send(request);
  }

  async function send(request: HttpRequest): Promise<HttpResponse | undefined> {
    const parsed = parseJson(request.body);
    const body = parsed.ok ? parsed.value : undefined;
    const entry = { method: 'POST', path: request.path, params: body };
    if (!parsed.ok) {
      requestLog.record({ ...entry, status: 400, code: 100 });
      return WHATSAPP_ERRORS.invalidParameter('The request body is not valid JSON.');
    }
    const record = body as Record<string, unknown>;
    if (record && record.status === 'read' && typeof record.message_id === 'string') {
      // Mark an inbound message as read (also shows the blue ticks to the customer).
      requestLog.record({ ...entry, status: 200 });
      return json(200, { success: true });
    }
    const recipient = typeof record?.to === 'string' ? record.to : undefined;
    const rule = behaviour.take(recipient);
    if (rule?.delayMs) await sleep(rule.delayMs);
    const fault = rule?.fault;
    if (fault?.type === 'timeout') {
      requestLog.record({ ...entry, recipient, fault: fault.type, delayMs: rule?.delayMs });
      return undefined;
    }
    if (fault?.type === 'rate-limit' || fault?.type === 'server-error') {
      const response = fault.type === 'rate-limit' ? WHATSAPP_ERRORS.rateLimited() : WHATSAPP_ERRORS.serverError(fault.status ?? 500);
      const code = (response.body as { error: { code: number } }).error.code;
      requestLog.record({ ...entry, recipient, fault: fault.type, status: response.status, code, delayMs: rule?.delayMs });
      log.info({ fault: fault.type, to: maskRecipient(recipient) }, 'whatsapp stand-in injected a fault');
      return response;
    }
    const validated = validateSend(
      body,
      (name, language) => templates.get(templateKey(name, language)),
      (name) => [...templates.values()].some((t) => t.name === name),
      settings.strictTemplates,
    );
    if (!validated.ok) {
      const code = (validated.response.body as { error: { code: number } }).error.code;
      requestLog.record({ ...entry, recipient, status: validated.response.status, code, delayMs: rule?.delayMs });
      return validated.response;
    }
    const message: SentWhatsAppMessage = {
      id: wamid(),
      to: validated.send.to,
      waId: validated.send.waId,
      type: validated.send.type,
      template: validated.send.template,
      status: 'accepted',
      createdAt: new Date(),
      request: record,
    };
    sent.set(message.id, message);
    if (sent.size > MESSAGE_LIMIT) sent.delete(sent.keys().next().value!);
    requestLog.record({ ...entry, recipient, status: 200, delayMs: rule?.delayMs, fault: fault?.type, resourceId: message.id });
    log.info({ id: message.id, to: maskRecipient(message.waId), type: message.type }, 'whatsapp stand-in accepted a message');
    scheduleStatuses(message, validated.send, rule);
    return json(200, {
      messaging_product: 'whatsapp',
      contacts: [{ input: validated.send.to, wa_id: validated.send.waId }],
      messages: [{ id: message.id, ...(message.type === 'template' ? { message_status: 'accepted' } : {}) }],
    });
  }

  function scheduleStatuses(message: SentWhatsAppMessage, send: ValidatedSend, rule: BehaviourRule | undefined): void {
    const fault = rule?.fault;
    const outsideWindow =
      settings.enforceCustomerServiceWindow && send.freeForm && Date.now() - (lastInbound.get(send.waId) ?? 0) > WINDOW_MS;
    let steps: StatusStep[];
    if (fault?.type === 'permanent' || fault?.type === 'undelivered') steps = [{ status: 'failed', errorCode: fault.code ?? 131026 }];
    else if (outsideWindow) steps = [{ status: 'failed', errorCode: 131047 }];
    else {
      steps = [{ status: 'sent' }, { status: 'delivered' }];
      if (settings.readReceipts) steps.push({ status: 'read' });
    }
    const plan = rule?.callbacks;
    const played = playOrder(steps, plan, (step) => step.status);
    const delayMs = plan?.delayMs ?? settings.callbackDelayMs;
    const category = (send.template?.category ?? (send.template ? 'UTILITY' : 'SERVICE')).toLowerCase();
    const conversationId = numericId(32);

    const statusObject = (step: StatusStep, at: Date): Record<string, unknown> => ({
      id: message.id,
      status: step.status,
      timestamp: String(Math.floor(at.getTime() / 1000)),
      recipient_id: message.waId,
      ...(step.status === 'failed'
        ? { errors: [statusError(step.errorCode ?? 131026)] }
        : step.status === 'read'
          ? {}
          : {
              conversation: {
                id: conversationId,
                ...(step.status === 'sent' ? { expiration_timestamp: String(Math.floor(at.getTime() / 1000) + 86_400) } : {}),
                origin: { type: category },
              },
              pricing: { billable: category !== 'service', pricing_model: 'PMP', category },
            }),
    });
    const statusValue = (statuses: Array<Record<string, unknown>>) => ({ messaging_product: 'whatsapp', metadata, statuses });

    tasks.run(
      async (signal) => {
        if (plan?.batch) {
          await pause(delayMs, signal);
          if (signal.aborted) return;
          for (const step of steps) advance(message, step);
          const now = new Date();
          await deliver(envelope(wabaId, 'messages', statusValue(played.map((step) => statusObject(step, now)))), signal);
          return;
        }
        for (let i = 0; i < Math.max(steps.length, played.length); i += 1) {
          await pause(delayMs, signal);
          if (signal.aborted) return;
          const logical = steps[i];
          if (logical !== undefined) advance(message, logical);
          const step = played[i];
          if (step !== undefined) {
            await deliver(envelope(wabaId, 'messages', statusValue([statusObject(step, new Date())])), signal);
          }
        }
      },
      (error) => log.warn({ error: String(error), id: message.id }, 'whatsapp stand-in status webhooks failed'),
    );
  }

  function advance(message: SentWhatsAppMessage, step: StatusStep): void {
    message.status = step.status;
    if (step.errorCode !== undefined) message.errorCode = step.errorCode;
  }

  /** Posts one webhook, retrying (with backoff) until the app answers 2xx or the attempts run out. */
  async function deliver(payload: unknown, signal: AbortSignal): Promise<WebhookResult> {
    const rawBody = JSON.stringify(payload);
    const url = settings.webhookUrl;
    if (url === undefined) {
      webhookLog.push({ url: '', payload, error: 'no webhook URL configured', attempt: 0, at: new Date().toISOString() });
      return { rawBody, error: 'no webhook URL configured', attempts: 0 };
    }
    const headers = {
      ...options.webhookHeaders,
      'content-type': 'application/json',
      'user-agent': 'facebookexternalua',
      'x-hub-signature-256': signPayload(options.appSecret, rawBody),
      'x-hub-signature': signPayloadSha1(options.appSecret, rawBody),
    };
    let result: WebhookResult = { rawBody, attempts: 0 };
    for (let attempt = 1; attempt <= Math.max(1, settings.retryAttempts); attempt += 1) {
      if (attempt > 1) await pause(settings.retryDelayMs * 2 ** (attempt - 2), signal);
      if (signal.aborted) return result;
      const answer = await postBody(url, rawBody, headers, signal);
      if (signal.aborted) return result;
      webhookLog.push({ url, payload, status: answer.status, error: answer.error, attempt, at: new Date().toISOString() });
      result = { rawBody, status: answer.status, error: answer.error, attempts: attempt };
      if (answer.status !== undefined && answer.status >= 200 && answer.status < 300) return result;
      log.warn({ url, status: answer.status, error: answer.error, attempt }, 'whatsapp stand-in webhook was not accepted');
    }
    return result;
  }

  async function simulateInbound(input: SimulateWhatsAppInbound): Promise<{ messageId: string; webhook: WebhookResult }> {
    const waId = input.from.replace(/[^0-9]/g, '');
    const type = input.type ?? 'text';
    const id = wamid();
    const message: Record<string, unknown> = { from: waId, id, timestamp: String(Math.floor(Date.now() / 1000)), type };
    if (input.replyTo !== undefined) message.context = { from: displayPhoneNumber, id: input.replyTo };
    if (type === 'text') message.text = { body: input.body ?? '' };
    else if (type === 'button') message.button = input.button ?? { payload: input.body ?? '', text: input.body ?? '' };
    else {
      message[type] = {
        id: input.media?.id ?? numericId(16),
        mime_type: input.media?.mime_type ?? 'image/jpeg',
        sha256: input.media?.sha256 ?? Buffer.from(id).toString('base64'),
        ...(input.media?.caption === undefined ? {} : { caption: input.media.caption }),
      };
    }
    lastInbound.set(waId, Date.now());
    const value = {
      messaging_product: 'whatsapp',
      metadata,
      contacts: [{ profile: { name: input.profileName ?? 'Stand-in User' }, wa_id: waId }],
      messages: [message],
    };
    const webhook = await deliver(envelope(wabaId, 'messages', value), tasks.signal);
    return { messageId: id, webhook };
  }

  async function simulateTemplateStatus(input: SimulateTemplateStatus): Promise<WebhookResult> {
    const key = templateKey(input.name, input.language);
    let template = templates.get(key);
    const known: TemplateStatus[] = ['APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED'];
    const nextStatus: TemplateStatus | undefined =
      input.event === 'REINSTATED' ? 'APPROVED' : (known as string[]).includes(input.event) ? (input.event as TemplateStatus) : undefined;
    if (template === undefined) {
      template = registerTemplate({ id: input.templateId, name: input.name, language: input.language, status: nextStatus ?? 'PENDING' });
    } else if (nextStatus !== undefined) {
      template.status = nextStatus;
    }
    const value = {
      event: input.event,
      message_template_id: Number(template.id),
      message_template_name: template.name,
      message_template_language: template.language,
      reason: input.reason ?? 'NONE',
    };
    return deliver(envelope(wabaId, 'message_template_status_update', value, Math.floor(Date.now() / 1000)), tasks.signal);
  }

  return core.listen<WhatsAppStandIn>(route, options, {
    phoneNumberId,
    displayPhoneNumber,
    wabaId,
    token: options.token,
    appSecret: options.appSecret,
    webhooks: () => [...webhookLog],
    messages: () => [...sent.values()],
    message: (id) => sent.get(id),
    registerTemplate,
    templates: () => [...templates.values()],
    simulateInbound,
    simulateTemplateStatus,
    describe: () => ({
      channel: 'whatsapp',
      url: core.url,
      phoneNumberId,
      displayPhoneNumber,
      wabaId,
      settings,
      templates: [...templates.values()],
      messages: sent.size,
      webhooks: webhookLog.length,
    }),
    channelCommand: async (command) => {
      if (command.action === 'simulate-inbound') return simulateInbound(command as unknown as SimulateWhatsAppInbound);
      if (command.action === 'template-status') return simulateTemplateStatus(command as unknown as SimulateTemplateStatus);
      if (command.action === 'register-template') {
        return { template: registerTemplate((command as unknown as { template: TemplateDefinition }).template) };
      }
      if (command.action === 'configure') {
        const update = (command as { settings?: Record<string, unknown> }).settings ?? {};
        for (const key of ['callbackDelayMs', 'retryAttempts', 'retryDelayMs'] as const) {
          if (update[key] === undefined) continue;
          if (typeof update[key] !== 'number' || update[key] < 0) throw new ControlError(`${key} must be a number >= 0`);
          settings[key] = update[key];
        }
        for (const key of ['readReceipts', 'enforceCustomerServiceWindow', 'strictTemplates'] as const) {
          if (update[key] !== undefined) settings[key] = Boolean(update[key]);
        }
        if (update.webhookUrl !== undefined) settings.webhookUrl = String(update.webhookUrl);
        return { settings };
      }
      if (command.action === 'webhooks') return { webhooks: webhookLog };
      if (command.action === 'messages') return { messages: [...sent.values()] };
      return undefined;
    },
  });
}
