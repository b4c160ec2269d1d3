// Twilio Programmable Messaging stand-in: the REST endpoints the twilio SDK calls to send SMS and
// WhatsApp messages and to buy numbers, the signed status callbacks that follow a send, and
// signed inbound-message webhooks.
import { randomUUID } from 'node:crypto';
import twilio from 'twilio';
import { normalizeRecipient, playOrder, type BehaviourRule, type CallbackPlan } from '../behaviour';
import { ControlError } from '../control';
import { json, memoize, postBody, sleep, type HttpRequest, type HttpResponse, type WebhookDelivery } from '../http';
import { HttpStandInCore, type HttpStandIn } from '../http-stand-in';
import { twilioSid } from '../ids';
import type { StandInLog } from '../log';
import { maskRecipient } from '../mask';
import type { RequestLogEntry } from '../request-log';
import { pause } from '../tasks';
import { DELIVERY_ERROR_MESSAGES, TWILIO_ERRORS, permanentError, twilioError } from './errors';
import {
  channelOf,
  countSegments,
  isValidAddress,
  isValidSender,
  renderMessage,
  type TwilioMessage,
  type TwilioMessageStatus,
} from './messages';
import { PhoneNumberInventory, SUPPORTED_COUNTRIES, renderOwnedNumber, type OwnedNumber } from './phone-numbers';

export interface TwilioStandInOptions {
  accountSid: string;
  authToken: string;
  host?: string;
  port?: number;
  /**
   * When set, status callbacks are delivered to this origin (path and query of the StatusCallback
   * kept) while the signature is still computed over the StatusCallback URL as given — what an
   * app behind a public URL validates. Unset: callbacks go to StatusCallback itself.
   */
  statusCallbackBase?: string;
  /** Where `simulateInbound` posts when the `to` number has no SmsUrl and no `url` is given. */
  inboundWebhookUrl?: string;
  /** Delay before each status callback, in ms (default 200). */
  callbackDelayMs?: number;
  /** Numbers the account owns from the start (they get `inboundWebhookUrl` as SmsUrl). */
  phoneNumbers?: string[];
  /**
   * WhatsApp's 24-hour customer-service window: a free-form (non-ContentSid) WhatsApp message to an
   * address with no inbound message in the last 24 h is accepted, then fails with 63016. Default false.
   */
  enforceWhatsAppWindow?: boolean;
  log?: StandInLog;
}

export interface SimulateTwilioInbound {
  from: string;
  to: string;
  body?: string;
  mediaUrls?: string[];
  mediaContentTypes?: string[];
  /** WhatsApp only (`whatsapp:` addresses): the sender's profile name. */
  profileName?: string;
  /** Post here instead of the number's SmsUrl / the configured inbound webhook. */
  url?: string;
}

export interface InboundResult {
  messageSid: string;
  url: string;
  params: Record<string, string>;
  status?: number;
  /** The app's answer (TwiML). */
  body?: string;
  error?: string;
}

export interface TwilioStandIn extends HttpStandIn {
  readonly accountSid: string;
  readonly authToken: string;
  /** Every status callback POST made (with its answer). */
  callbacks(): WebhookDelivery[];
  messages(): TwilioMessage[];
  message(sid: string): TwilioMessage | undefined;
  ownedNumbers(): OwnedNumber[];
  simulateInbound(input: SimulateTwilioInbound): Promise<InboundResult>;
}

const API_PREFIX = '/2010-04-01/Accounts/';
const MESSAGE_LIMIT = 50_000;
const WINDOW_MS = 24 * 60 * 60 * 1000;

export async function startTwilioStandIn(options: TwilioStandInOptions): Promise<TwilioStandIn> {
  const core = new HttpStandInCore('twilio', options.log);
  const { log, behaviour, requestLog, tasks, deliveries: callbackLog } = core;
  const messages = new Map<string, TwilioMessage>();
  const lastInbound = new Map<string, number>();
  const settings = {
    callbackDelayMs: options.callbackDelayMs ?? 200,
    inboundWebhookUrl: options.inboundWebhookUrl,
    statusCallbackBase: options.statusCallbackBase,
    enforceWhatsAppWindow: options.enforceWhatsAppWindow ?? false,
  };
  const numbers = new PhoneNumberInventory(options.accountSid);
  for (const phoneNumber of options.phoneNumbers ?? []) {
    numbers.buy(phoneNumber, { smsUrl: options.inboundWebhookUrl });
  }

  function authenticated(request: HttpRequest): boolean {
    const header = request.headers.authorization ?? '';
    const match = /^Basic\s+(.+)$/i.exec(header);
    if (!match) return false;
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon > 0 && decoded.slice(0, colon) === options.accountSid && decoded.slice(colon + 1) === options.authToken;
  }

  function store(message: TwilioMessage): void {
    messages.set(message.sid, message);
    if (messages.size > MESSAGE_LIMIT) messages.delete(messages.keys().next().value!);
  }

  async function route(request: HttpRequest): Promise<HttpResponse | undefined> {
    if (!request.path.startsWith(API_PREFIX)) return TWILIO_ERRORS.notFound(request.path);
    if (!authenticated(request)) {
      requestLog.record({ method: request.method, path: request.path, status: 401, code: 20003 });
      return TWILIO_ERRORS.authenticate();
    }
    const rest = request.path.slice(API_PREFIX.length);
    const [accountSid, ...parts] = rest.split('/');
    if (accountSid !== options.accountSid) return TWILIO_ERRORS.notFound(request.path);
    const resource = parts.join('/');
    const params = new URLSearchParams(request.body.toString('utf8'));

    if (resource === 'Messages.json' && request.method === 'POST') return createMessage(request, params);
    const messageMatch = /^Messages\/((?:SM|MM)[0-9a-fA-F]{32})\.json$/.exec(resource);
    if (messageMatch && request.method === 'GET') {
      const message = messages.get(messageMatch[1]!);
      const response = message === undefined ? TWILIO_ERRORS.notFound(request.path) : json(200, renderMessage(message));
      requestLog.record({ method: 'GET', path: request.path, status: response.status, resourceId: messageMatch[1] });
      return response;
    }
    const availableMatch = /^AvailablePhoneNumbers\/([A-Z]{2})\/Local\.json$/.exec(resource);
    if (availableMatch && request.method === 'GET') return listAvailable(request, availableMatch[1]!);
    if (resource === 'IncomingPhoneNumbers.json' && request.method === 'POST') return buyNumber(request, params);
    if (resource === 'IncomingPhoneNumbers.json' && request.method === 'GET') return listOwned(request);
    return TWILIO_ERRORS.notFound(request.path);
  }

  async function applyFault(
    rule: BehaviourRule | undefined,
    entry: Omit<RequestLogEntry, 'at'>,
  ): Promise<HttpResponse | undefined | 'timeout'> {
    if (rule?.delayMs) await sleep(rule.delayMs);
    const fault = rule?.fault;
    if (fault === undefined || fault.type === 'undelivered') return undefined;
    let response: HttpResponse | 'timeout';
    if (fault.type === 'timeout') response = 'timeout';
    else if (fault.type === 'rate-limit') response = TWILIO_ERRORS.rateLimited();
    else if (fault.type === 'server-error') response = TWILIO_ERRORS.serverError(fault.status ?? 500);
    else response = permanentError(fault.code ?? 21610);
    requestLog.record({
      ...entry,
      fault: fault.type,
      delayMs: rule?.delayMs,
      status: response === 'timeout' ? undefined : response.status,
      code: response === 'timeout' ? undefined : ((response.body as { code: number }).code),
    });
    log.info({ fault: fault.type, to: maskRecipient(entry.recipient) }, 'twilio stand-in injected a fault');
    return response;
  }

  async function createMessage(request: HttpRequest, params: URLSearchParams): Promise<HttpResponse | undefined> {
    const to = params.get('To') ?? '';
    const entry = { method: 'POST', path: request.path, recipient: to || undefined, params: formToObject(params) };
    const rule = behaviour.take(to || undefined);
    const faulted = await applyFault(rule, entry);
    if (faulted === 'timeout') return undefined;
    if (faulted !== undefined) return faulted;

    const invalid = validateSend(params);
    if (invalid !== undefined) {
      requestLog.record({ ...entry, status: invalid.status, code: (invalid.body as { code: number }).code, delayMs: rule?.delayMs });
      return invalid;
    }

    const from = params.get('From');
    const messagingServiceSid = params.get('MessagingServiceSid');
    const body = params.get('Body') ?? '';
    const mediaUrls = params.getAll('MediaUrl');
    const contentVariables = params.get('ContentVariables');
    const now = new Date();
    const message: TwilioMessage = {
      sid: twilioSid(mediaUrls.length > 0 ? 'MM' : 'SM'),
      accountSid: options.accountSid,
      direction: 'outbound-api',
      from: from ?? null,
      to,
      body,
      messagingServiceSid: messagingServiceSid ?? null,
      statusCallback: params.get('StatusCallback'),
      mediaUrls,
      contentSid: params.get('ContentSid'),
      contentVariables: contentVariables === null ? null : (JSON.parse(contentVariables) as Record<string, string>),
      // A Messaging Service picks the sender later: the message starts `accepted`, without From.
      status: from === null ? 'accepted' : 'queued',
      errorCode: null,
      errorMessage: null,
      numSegments: channelOf(to) === 'whatsapp' ? 1 : countSegments(body),
      dateCreated: now,
      dateUpdated: now,
      dateSent: null,
    };
    store(message);
    requestLog.record({ ...entry, status: 201, delayMs: rule?.delayMs, resourceId: message.sid });
    log.info({ sid: message.sid, to: maskRecipient(to), segments: message.numSegments }, 'twilio stand-in accepted a message');
    const rendered = renderMessage(message);
    scheduleLifecycle(message, rule);
    return json(201, rendered, { 'twilio-request-id': twilioSid('RQ') });
  }

  function validateSend(params: URLSearchParams): HttpResponse | undefined {
    const to = params.get('To');
    const from = params.get('From');
    const service = params.get('MessagingServiceSid');
    const body = params.get('Body');
    const mediaUrls = params.getAll('MediaUrl');
    const contentSid = params.get('ContentSid');
    const contentVariables = params.get('ContentVariables');
    const statusCallback = params.get('StatusCallback');
    if (to === null || to === '') return twilioError(400, 21604, "A 'To' phone number is required.");
    if (!isValidAddress(to)) return twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if ((from === null || from === '') && (service === null || service === '')) {
      return twilioError(400, 21603, "A 'From' phone number is required.");
    }
    if (from !== null && !isValidSender(from)) {
      return twilioError(400, 21212, `The 'From' number ${from} is not a valid phone number, shortcode, or alphanumeric sender ID.`);
    }
    if (service !== null && !/^MG[0-9a-fA-F]{32}$/.test(service)) {
      return twilioError(400, 21701, `The Messaging Service Sid ${service} is invalid.`);
    }
    if (from !== null && channelOf(from) !== channelOf(to)) {
      return twilioError(400, 21910, 'Invalid From and To pair. From and To should be of the same channel');
    }
    if ((body === null || body === '') && mediaUrls.length === 0 && (contentSid === null || contentSid === '')) {
      return twilioError(400, 21619, 'A text message body, media url, or content sid must be specified.');
    }
    if (body !== null && body.length > 1600) {
      return twilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    }
    if (mediaUrls.length > 10) return twilioError(400, 21623, 'Number of media files exceeds allowed limit');
    if (mediaUrls.some((url) => !isHttpUrl(url))) return twilioError(400, 21620, 'Invalid media URL(s)');
    if (statusCallback !== null && !isHttpUrl(statusCallback)) {
      return twilioError(400, 21609, 'Invalid StatusCallback url');
    }
    if (contentSid !== null && !/^HX[0-9a-fA-F]{32}$/.test(contentSid)) {
      return twilioError(400, 21655, 'The ContentSid is Invalid');
    }
    if (contentVariables !== null) {
      if (contentSid === null) return twilioError(400, 21656, 'The ContentVariables Parameter is invalid');
      try {
        const parsed: unknown = JSON.parse(contentVariables);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      } catch {
        return twilioError(400, 21656, 'The ContentVariables Parameter is invalid');
      }
    }
    return undefined;
  }

  /** queued → (sending, sent, delivered[, read]) — each later status posted to StatusCallback. */
  function scheduleLifecycle(message: TwilioMessage, rule: BehaviourRule | undefined): void {
    const whatsapp = channelOf(message.to) === 'whatsapp';
    const fault = rule?.fault?.type === 'undelivered' ? rule.fault : undefined;
    let steps: Array<{ status: TwilioMessageStatus; errorCode?: number }>;
    const outsideWindow =
      whatsapp &&
      settings.enforceWhatsAppWindow &&
      message.contentSid === null &&
      Date.now() - (lastInbound.get(normalizeRecipient(message.to)) ?? 0) > WINDOW_MS;
    if (outsideWindow) steps = [{ status: 'failed', errorCode: 63016 }];
    else if (fault?.status === 'failed') steps = [{ status: 'failed', errorCode: fault.code ?? 30008 }];
    else if (fault !== undefined) {
      steps = [{ status: 'sending' }, { status: 'sent' }, { status: 'undelivered', errorCode: fault.code ?? 30003 }];
    } else {
      steps = [{ status: 'sending' }, { status: 'sent' }, { status: 'delivered' }];
      if (whatsapp) steps.push({ status: 'read' });
    }
    if (message.status === 'accepted') steps.unshift({ status: 'queued' });
    const plan: CallbackPlan | undefined = rule?.callbacks;
    const tokens = new Map(steps.map((step) => [step, randomUUID()] as const));
    const played = playOrder(steps, plan, (step) => step.status);
    const delayMs = plan?.delayMs ?? settings.callbackDelayMs;

    tasks.run(
      async (signal) => {
        for (let i = 0; i < Math.max(steps.length, played.length); i += 1) {
          await pause(delayMs, signal);
          if (signal.aborted) return;
          const logical = steps[i];
          if (logical !== undefined) advance(message, logical.status, logical.errorCode);
          const step = played[i];
          if (step !== undefined && message.statusCallback !== null) {
            await postStatusCallback(message, step.status, step.errorCode, tokens.get(step)!, signal);
          }
        }
      },
      (error) => log.warn({ error: String(error), sid: message.sid }, 'twilio stand-in status callbacks failed'),
    );
  }

  function advance(message: TwilioMessage, status: TwilioMessageStatus, errorCode: number | undefined): void {
    message.status = status;
    message.dateUpdated = new Date();
    if (message.from === null) message.from = numbers.list()[0]?.phoneNumber ?? '+15005550006';
    if (status === 'sent' && message.dateSent === null) message.dateSent = message.dateUpdated;
    if (errorCode !== undefined) {
      message.errorCode = errorCode;
      message.errorMessage = DELIVERY_ERROR_MESSAGES[errorCode] ?? `Error ${errorCode}`;
    }
  }

  async function postStatusCallback(
    message: TwilioMessage,
    status: TwilioMessageStatus,
    errorCode: number | undefined,
    idempotencyToken: string,
    signal: AbortSignal,
  ): Promise<void> {
    const whatsapp = channelOf(message.to) === 'whatsapp';
    const params: Record<string, string> = {
      SmsSid: message.sid,
      SmsStatus: status,
      MessageStatus: status,
      To: message.to,
      MessageSid: message.sid,
      AccountSid: message.accountSid,
      From: message.from ?? '',
      ApiVersion: '2010-04-01',
    };
    if (message.messagingServiceSid !== null) params.MessagingServiceSid = message.messagingServiceSid;
    if (errorCode !== undefined) params.ErrorCode = String(errorCode);
    if (whatsapp) {
      params.ChannelPrefix = 'whatsapp';
      params.ChannelToAddress = message.to.replace(/^whatsapp:\+?/, '+');
      params.ChannelInstallSid = 'XE00000000000000000000000000000000';
    } else if (status === 'delivered') {
      params.RawDlrDoneDate = rawDlrDate(new Date());
    }
    const signedUrl = message.statusCallback!;
    const target = deliveryUrl(signedUrl, settings.statusCallbackBase);
    await postSigned(target, signedUrl, params, { 'i-twilio-idempotency-token': idempotencyToken }, signal);
  }

  async function postSigned(
    target: string,
    signedUrl: string,
    params: Record<string, string>,
    extraHeaders: Record<string, string>,
    signal: AbortSignal,
  ): Promise<{ status?: number; body?: string; error?: string }> {
    const signature = twilio.getExpectedTwilioSignature(options.authToken, signedUrl, params);
    const result = await postBody(
      target,
      new URLSearchParams(params).toString(),
      {
        'content-type': 'application/x-www-form-urlencoded; charset=UTF-8',
        'user-agent': 'TwilioProxy/1.1',
        'x-twilio-signature': signature,
        accept: '*/*',
        ...extraHeaders,
      },
      signal,
    );
    if (signal.aborted) return result;
    callbackLog.push({
      url: target,
      payload: params,
      status: result.status,
      error: result.error,
      attempt: 1,
      at: new Date().toISOString(),
    });
    if (result.error !== undefined || (result.status ?? 500) >= 400) {
      log.warn({ url: target, status: result.status, error: result.error }, 'twilio stand-in webhook was not accepted');
    }
    return result;
  }

  function listAvailable(request: HttpRequest, country: string): HttpResponse {
    if (!(SUPPORTED_COUNTRIES as readonly string[]).includes(country)) {
      requestLog.record({ method: 'GET', path: request.path, status: 404, code: 20404 });
      return TWILIO_ERRORS.notFound(request.path);
    }
    const areaCode = request.query.get('AreaCode') ?? undefined;
    const pageSize = Math.min(Number(request.query.get('PageSize') ?? '50') || 50, 1000);
    const found = numbers.search({ country, areaCode, contains: request.query.get('Contains') ?? undefined, limit: pageSize });
    requestLog.record({ method: 'GET', path: request.path, status: 200, params: Object.fromEntries(request.query) });
    // The live API adds `uri` (relative); Twilio's OpenAPI file declares it `format: uri` (absolute)
    // and no client reads it, so it is left out rather than sent in a shape the spec refuses.
    return json(200, { available_phone_numbers: found });
  }

  function buyNumber(request: HttpRequest, params: URLSearchParams): HttpResponse {
    const entry = { method: 'POST', path: request.path, params: formToObject(params) };
    let phoneNumber = params.get('PhoneNumber') ?? undefined;
    const areaCode = params.get('AreaCode') ?? undefined;
    let response: HttpResponse;
    if (phoneNumber === undefined && areaCode === undefined) {
      response = twilioError(400, 21421, 'PhoneNumber or AreaCode is required.');
    } else if (phoneNumber !== undefined && !numbers.isAvailable(phoneNumber)) {
      response = twilioError(400, 21422, 'PhoneNumber requested is not available');
    } else {
      phoneNumber ??= numbers.firstAvailableInArea(areaCode!);
      if (phoneNumber === undefined) {
        response = twilioError(400, 21452, `No phone numbers found in area code ${areaCode}`);
      } else {
        const smsUrl = params.get('SmsUrl') ?? undefined;
        if (smsUrl !== undefined && !isHttpUrl(smsUrl)) {
          response = twilioError(400, 21502, 'SmsUrl is not valid');
        } else {
          const owned = numbers.buy(phoneNumber, {
            friendlyName: params.get('FriendlyName') ?? undefined,
            smsUrl,
            smsMethod: params.get('SmsMethod') ?? undefined,
            statusCallback: params.get('StatusCallback') ?? undefined,
          });
          log.info({ sid: owned.sid, number: maskRecipient(owned.phoneNumber) }, 'twilio stand-in sold a number');
          response = json(201, renderOwnedNumber(owned));
        }
      }
    }
    requestLog.record({
      ...entry,
      status: response.status,
      code: response.status >= 400 ? (response.body as { code: number }).code : undefined,
      resourceId: response.status === 201 ? (response.body as { sid: string }).sid : undefined,
    });
    return response;
  }

  function listOwned(request: HttpRequest): HttpResponse {
    const owned = numbers.list();
    const filter = request.query.get('PhoneNumber');
    const rendered = owned.filter((n) => filter === null || n.phoneNumber === filter).map(renderOwnedNumber);
    requestLog.record({ method: 'GET', path: request.path, status: 200 });
    return json(200, {
      incoming_phone_numbers: rendered,
      page: 0,
      page_size: 50,
      start: 0,
      end: Math.max(rendered.length - 1, 0),
      next_page_uri: null,
      previous_page_uri: null,
    });
  }

  async function simulateInbound(input: SimulateTwilioInbound): Promise<InboundResult> {
    const whatsapp = channelOf(input.from) === 'whatsapp';
    const mediaUrls = input.mediaUrls ?? [];
    const sid = twilioSid(mediaUrls.length > 0 ? 'MM' : 'SM');
    const url = input.url ?? numbers.get(input.to)?.smsUrl ?? settings.inboundWebhookUrl;
    if (url === undefined || url === null) {
      throw new Error('simulateInbound: no webhook URL (pass `url`, buy the number with an SmsUrl, or set inboundWebhookUrl)');
    }
    const body = input.body ?? '';
    const params: Record<string, string> = {
      SmsMessageSid: sid,
      NumMedia: String(mediaUrls.length),
      SmsSid: sid,
      SmsStatus: 'received',
      Body: body,
      To: input.to,
      NumSegments: String(whatsapp ? 1 : countSegments(body)),
      MessageSid: sid,
      AccountSid: options.accountSid,
      From: input.from,
      ApiVersion: '2010-04-01',
    };
    mediaUrls.forEach((mediaUrl, index) => {
      params[`MediaUrl${index}`] = mediaUrl;
      params[`MediaContentType${index}`] = input.mediaContentTypes?.[index] ?? 'image/jpeg';
    });
    if (whatsapp) {
      params.ProfileName = input.profileName ?? 'Stand-in User';
      params.WaId = input.from.replace(/^whatsapp:\+?/, '');
      params.MessageType = mediaUrls.length > 0 ? 'image' : 'text';
      params.ReferralNumMedia = '0';
      lastInbound.set(normalizeRecipient(input.from), Date.now());
    } else {
      const fromUs = input.from.startsWith('+1');
      const toUs = input.to.startsWith('+1');
      Object.assign(params, {
        FromCountry: fromUs ? 'US' : '',
        FromState: '',
        FromCity: '',
        FromZip: '',
        ToCountry: toUs ? 'US' : '',
        ToState: '',
        ToCity: '',
        ToZip: '',
      });
    }
    const now = new Date();
    store({
      sid,
      accountSid: options.accountSid,
      direction: 'inbound',
      from: input.from,
      to: input.to,
      body,
      messagingServiceSid: null,
      statusCallback: null,
      mediaUrls,
      contentSid: null,
      contentVariables: null,
      status: 'received',
      errorCode: null,
      errorMessage: null,
      numSegments: Number(params.NumSegments),
      dateCreated: now,
      dateUpdated: now,
      dateSent: now,
    });
    const result = await postSigned(url, url, params, {}, tasks.signal);
    return { messageSid: sid, url, params, ...result };
  }

  return core.listen<TwilioStandIn>(route, options, {
    accountSid: options.accountSid,
    authToken: options.authToken,
    callbacks: () => [...callbackLog],
    messages: () => [...messages.values()],
    message: (sid) => messages.get(sid),
    ownedNumbers: () => numbers.list(),
    simulateInbound,
    describe: () => ({
      channel: 'twilio',
      url: core.url,
      accountSid: options.accountSid,
      settings,
      ownedNumbers: numbers.list().map((n) => n.phoneNumber),
      messages: messages.size,
      callbacks: callbackLog.length,
    }),
    channelCommand: async (command) => {
      if (command.action === 'simulate-inbound') return simulateInbound(command as unknown as SimulateTwilioInbound);
      if (command.action === 'configure') {
        const update = (command as { settings?: Record<string, unknown> }).settings ?? {};
        if (update.callbackDelayMs !== undefined) {
          if (typeof update.callbackDelayMs !== 'number' || update.callbackDelayMs < 0) {
            throw new ControlError('callbackDelayMs must be a number >= 0');
          }
          settings.callbackDelayMs = update.callbackDelayMs;
        }
        if (update.inboundWebhookUrl !== undefined) settings.inboundWebhookUrl = String(update.inboundWebhookUrl);
        if (update.statusCallbackBase !== undefined) settings.statusCallbackBase = String(update.statusCallbackBase);
        if (update.enforceWhatsAppWindow !== undefined) settings.enforceWhatsAppWindow = Boolean(update.enforceWhatsAppWindow);
        return { settings };
      }
      if (command.action === 'callbacks') return { callbacks: callbackLog };
      if (command.action === 'messages') return { messages: [...messages.values()].map(renderMessage) };
      return undefined;
    },
  });
}

function formToObject(params: URLSearchParams): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    result[key] = values.length === 1 ? values[0]! : values;
  }
  return result;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** `statusCallbackBase` rewrites where a callback is delivered, never what is signed. */
function deliveryUrl(statusCallback: string, base: string | undefined): string {
  return base === undefined ? statusCallback : rebasedUrl(`${base}\n${statusCallback}`);
}

/** `<base>\n<statusCallback>` → the callback's path and query on `base` (remembered: the same few each time). */
const rebasedUrl = memoize(1_000, (key) => {
  const [base, statusCallback] = key.split('\n') as [string, string];
  const original = new URL(statusCallback);
  return new URL(`${original.pathname}${original.search}`, base).toString();
});

/** Carrier's delivery-receipt timestamp as Twilio forwards it: YYMMDDhhmm (UTC). */
function rawDlrDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCFullYear() % 100)}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}`;
}
