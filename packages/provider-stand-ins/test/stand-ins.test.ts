// The rule engine, and the three stand-ins started together with their shared control endpoint.
import nodemailer from 'nodemailer';
import twilio from 'twilio';
import { Behaviour, DEV_CREDENTIALS, StandInTwilioRequestClient, normalizeRecipient, startProviderStandIns, type ProviderStandIns } from '../src';
import { startReceiver, type Receiver } from './helpers';

describe('Behaviour', () => {
  it('matches recipients by digits or case-insensitive email, first rule wins, counted rules expire', () => {
    expect(normalizeRecipient('whatsapp:+1 (415) 555-0142')).toBe(normalizeRecipient('14155550142'));
    expect(normalizeRecipient('Ada@Example.COM')).toBe('ada@example.com');

    const behaviour = new Behaviour();
    behaviour.add({ recipient: '+14155550142', times: 2, fault: { type: 'rate-limit' } });
    behaviour.add({ fault: { type: 'server-error' } });
    expect(behaviour.take('whatsapp:+14155550142')?.fault?.type).toBe('rate-limit');
    expect(behaviour.take('+14155550199')?.fault?.type).toBe('server-error');
    expect(behaviour.take('14155550142')?.fault?.type).toBe('rate-limit');
    expect(behaviour.list()).toHaveLength(1); // the counted rule is used up
    expect(behaviour.take('14155550142')?.fault?.type).toBe('server-error');
    expect(behaviour.list()[0]!.matched).toBe(2);
  });

  it('separates global and recipient rules when asked (SMTP MAIL FROM vs RCPT TO)', () => {
    const behaviour = new Behaviour();
    behaviour.add({ recipient: 'a@example.com', fault: { type: 'permanent' } });
    behaviour.add({ times: 1, delayMs: 10 });
    expect(behaviour.take(undefined, 'global')).toEqual({ times: 1, delayMs: 10 });
    expect(behaviour.take('b@example.com', 'specific')).toBeUndefined();
    expect(behaviour.take('A@example.com', 'specific')?.fault?.type).toBe('permanent');
  });

  it('refuses malformed rules with a reason', () => {
    const behaviour = new Behaviour();
    expect(() => behaviour.add({ fault: { type: 'explode' } } as never)).toThrow(/fault.type must be one of/);
    expect(() => behaviour.add({ times: 0 })).toThrow(/times must be a positive integer/);
    expect(() => behaviour.add({ fault: { type: 'server-error', status: 404 } })).toThrow(/not valid/);
    expect(() => behaviour.add({ callbacks: { order: 'sideways' } } as never)).toThrow(/callbacks.order/);
    expect(() => behaviour.add({ recipent: 'typo' } as never)).toThrow(/unknown rule field "recipent"/);
  });
});

describe('startProviderStandIns', () => {
  let standIns: ProviderStandIns;
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await startReceiver();
    standIns = await startProviderStandIns({
      twilio: { callbackDelayMs: 5 },
      whatsapp: { webhookUrl: `${receiver.url}/whatsapp`, callbackDelayMs: 5 },
      smtp: {},
    });
  });

  afterAll(async () => {
    await standIns.close();
    await receiver.close();
  });

  const control = async (body: unknown) => {
    const response = await fetch(`${standIns.control.url}/__control`, { method: 'POST', body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('runs the three stand-ins with the development credentials by default', async () => {
    const client = twilio(DEV_CREDENTIALS.twilio.accountSid, DEV_CREDENTIALS.twilio.authToken, {
      httpClient: new StandInTwilioRequestClient(standIns.twilio.url),
    });
    const message = await client.messages.create({ to: '+14155550150', from: DEV_CREDENTIALS.twilio.phoneNumbers[0], body: 'hi' });
    expect(message.status).toBe('queued');

    const whatsapp = await fetch(`${standIns.whatsapp.url}/v23.0/${DEV_CREDENTIALS.whatsapp.phoneNumberId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${DEV_CREDENTIALS.whatsapp.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messaging_product: 'whatsapp', to: '15551230009', type: 'text', text: { body: 'hi' } }),
    });
    expect(whatsapp.status).toBe(200);

    const mail = await nodemailer
      .createTransport({ host: standIns.smtp.host, port: standIns.smtp.port, secure: false, ignoreTLS: true })
      .sendMail({ from: 'a@switchboard.test', to: 'b@example.com', subject: 'bundle', text: 'x' });
    expect(mail.accepted).toEqual(['b@example.com']);
    await standIns.settled();
    expect(standIns.twilio.message(message.sid)?.status).toBe('delivered');
  });

  it('routes control commands by channel and reports the state of all three', async () => {
    const added = await control({ channel: 'smtp', action: 'add-rule', rule: { recipient: 'x@example.com', fault: { type: 'permanent' } } });
    expect(added.status).toBe(200);
    const refused = await nodemailer
      .createTransport({ host: standIns.smtp.host, port: standIns.smtp.port, secure: false, ignoreTLS: true })
      .sendMail({ from: 'a@switchboard.test', to: 'x@example.com', text: 'x' })
      .catch((error: { responseCode: number }) => error);
    expect(refused).toMatchObject({ responseCode: 550 });

    const inbound = await control({ channel: 'whatsapp', action: 'simulate-inbound', from: '15551230010', body: 'hello' });
    expect(inbound.status).toBe(200);
    expect((inbound.body.webhook as { status: number }).status).toBe(200);
    await receiver.waitFor((r) => r.rawBody.includes('"hello"'));

    expect((await control({ channel: 'fax', action: 'state' })).status).toBe(400);
    expect((await control({ channel: 'twilio', action: 'launch' })).status).toBe(400);

    const state = (await (await fetch(`${standIns.control.url}/__control`)).json()) as Record<string, { rules: unknown[]; requests: unknown[] }>;
    expect(Object.keys(state).sort()).toEqual(['smtp', 'twilio', 'whatsapp']);
    expect(state.smtp!.rules).toHaveLength(1);
    expect(state.smtp!.requests.length).toBeGreaterThan(0);

    expect((await control({ channel: 'smtp', action: 'reset' })).status).toBe(200);
    expect(standIns.smtp.behaviour.list()).toEqual([]);
    expect(standIns.smtp.requests()).toEqual([]);
  });
});
