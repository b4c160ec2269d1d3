// All three stand-ins together, as the launcher (`npm start` without provider credentials), the CLI
// and tests use them, plus one control endpoint for the lot.
import { ControlError, runControlCommand, type ControlCommand } from './control';
import { json, parseJson, startHttpServer, type HttpRequest, type HttpResponse } from './http';
import type { StandInLog } from './log';
import { startSmtpStandIn, type SmtpStandIn, type SmtpStandInOptions } from './smtp/smtp-stand-in';
import { startTwilioStandIn, type TwilioStandIn, type TwilioStandInOptions } from './twilio/twilio-stand-in';
import { startWhatsAppStandIn, type WhatsAppStandIn, type WhatsAppStandInOptions } from './whatsapp/whatsapp-stand-in';

/** Credentials of the stand-ins when none are given: not secrets, they only open local stand-ins. */
export const DEV_CREDENTIALS = {
  twilio: {
    accountSid: 'AC00000000000000000000000000000001',
    authToken: 'stand-in-twilio-auth-token',
    phoneNumbers: ['+14155550100'],
  },
  whatsapp: {
    token: 'stand-in-whatsapp-access-token',
    appSecret: 'stand-in-whatsapp-app-secret',
    phoneNumberId: '100000000000001',
    displayPhoneNumber: '15550000001',
    wabaId: '200000000000001',
  },
} as const;

type Section<T> = Partial<Omit<T, 'log' | 'host'>>;

export interface ProviderStandInsOptions {
  /** Interface every stand-in listens on (default 127.0.0.1). */
  host?: string;
  twilio?: Section<TwilioStandInOptions>;
  whatsapp?: Section<WhatsAppStandInOptions>;
  smtp?: Section<SmtpStandInOptions>;
  /** Port of the shared control endpoint (default 0 = any free port). */
  controlPort?: number;
  log?: StandInLog;
}

export interface ProviderStandIns {
  twilio: TwilioStandIn;
  whatsapp: WhatsAppStandIn;
  smtp: SmtpStandIn;
  /** `POST {url}/__control` with `{channel: 'twilio'|'whatsapp'|'smtp', action, …}`; `GET` for the state of all three. */
  control: { url: string };
  /** Waits for every scheduled callback/webhook of the HTTP stand-ins. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export async function startProviderStandIns(options: ProviderStandInsOptions = {}): Promise<ProviderStandIns> {
  const { host, log } = options;
  const started: Array<{ close(): Promise<void> }> = [];
  try {
    const twilio = await startTwilioStandIn({
      ...DEV_CREDENTIALS.twilio,
      phoneNumbers: [...DEV_CREDENTIALS.twilio.phoneNumbers],
      ...defined(options.twilio),
      host,
      log,
    });
    started.push(twilio);
    const whatsapp = await startWhatsAppStandIn({ ...DEV_CREDENTIALS.whatsapp, ...defined(options.whatsapp), host, log });
    started.push(whatsapp);
    const smtp = await startSmtpStandIn({ ...defined(options.smtp), host, log });
    started.push(smtp);
    const channels = { twilio, whatsapp, smtp };

    const route = async (request: HttpRequest): Promise<HttpResponse> => {
      if (request.path !== '/__control') return json(404, { error: 'not found; use /__control' });
      if (request.method === 'GET') {
        return json(200, {
          twilio: await twilio.control({ action: 'state' }),
          whatsapp: await whatsapp.control({ action: 'state' }),
          smtp: await smtp.control({ action: 'state' }),
        });
      }
      if (request.method !== 'POST') return json(405, { error: 'use GET or POST' });
      const parsed = parseJson(request.body);
      if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null) return json(400, { error: 'body must be a JSON object' });
      const { channel, ...command } = parsed.value as { channel?: unknown } & ControlCommand;
      const target = channels[channel as keyof typeof channels];
      if (target === undefined) return json(400, { error: 'channel must be one of twilio, whatsapp, smtp' });
      try {
        return json(200, await runControlCommand(target, command as ControlCommand));
      } catch (error) {
        if (error instanceof ControlError) return json(400, { error: error.message });
        throw error;
      }
    };
    const control = await startHttpServer(route, { host, port: options.controlPort });
    started.push(control);

    return {
      twilio,
      whatsapp,
      smtp,
      control: { url: control.url },
      settled: async () => {
        await Promise.all([twilio.settled(), whatsapp.settled()]);
      },
      close: async () => {
        await Promise.all(started.map((s) => s.close()));
      },
    };
  } catch (error) {
    await Promise.all(started.map((s) => s.close()));
    throw error;
  }
}

/** Drops `undefined` values so they do not override the defaults. */
function defined<T extends object>(section: T | undefined): Partial<T> {
  if (section === undefined) return {};
  return Object.fromEntries(Object.entries(section).filter(([, value]) => value !== undefined)) as Partial<T>;
}
