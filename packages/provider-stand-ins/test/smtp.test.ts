// nodemailer against the SMTP stand-in: stored and parsed mail, auth, and the SMTP replies a relay
// gives for rejected recipients, rate limits, slow and silent servers.
import nodemailer from 'nodemailer';
import { startSmtpStandIn, type SmtpStandIn } from '../src';

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
  rejected?: string[];
}

let smtp: SmtpStandIn;
let authed: SmtpStandIn;

function transport(server: SmtpStandIn, extra: Record<string, unknown> = {}) {
  return nodemailer.createTransport({
    host: server.host,
    port: server.port,
    secure: false,
    ignoreTLS: true,
    ...extra,
  });
}

async function smtpError(promise: Promise<unknown>): Promise<SmtpError> {
  try {
    await promise;
  } catch (error) {
    return error as SmtpError;
  }
  throw new Error('expected nodemailer to reject');
}

beforeAll(async () => {
  smtp = await startSmtpStandIn();
  authed = await startSmtpStandIn({ auth: { user: 'mailer', pass: 's3cret' } });
});

afterAll(async () => {
  await smtp.close();
  await authed.close();
});

afterEach(() => {
  smtp.behaviour.clear();
});

describe('receiving mail', () => {
  it('stores what nodemailer sends, parsed (message id, subject, text, html, attachments)', async () => {
    const messageId = '<campaign-7.delivery-1@switchboard.test>';
    const info = await transport(smtp).sendMail({
      from: 'Switchboard <no-reply@switchboard.test>',
      to: 'ada@example.com',
      cc: 'grace@example.com',
      subject: 'Your order shipped',
      text: 'It is on its way.',
      html: '<p>It is on its way.</p>',
      messageId,
      attachments: [{ filename: 'invoice.txt', content: 'total: 42' }],
    });
    expect(info.accepted).toEqual(['ada@example.com', 'grace@example.com']);
    expect(info.rejected).toEqual([]);
    expect(info.response).toMatch(/^250 /);

    const mail = await smtp.waitFor((m) => m.messageId === messageId);
    expect(mail).toMatchObject({
      subject: 'Your order shipped',
      text: 'It is on its way.',
      html: '<p>It is on its way.</p>',
      envelope: { from: 'no-reply@switchboard.test', to: ['ada@example.com', 'grace@example.com'] },
      to: ['ada@example.com'],
      cc: ['grace@example.com'],
      attachments: [{ filename: 'invoice.txt', contentType: 'text/plain', size: 9 }],
    });
    expect(mail.from).toContain('no-reply@switchboard.test');
    expect(mail.raw).toContain('Subject: Your order shipped');
    expect(mail.headers['message-id']).toBe(messageId);
  });

  it('waits for a mail that arrives later', async () => {
    const waiting = smtp.waitFor((m) => m.subject === 'later', 5_000);
    await transport(smtp).sendMail({ from: 'a@switchboard.test', to: 'b@example.com', subject: 'later', text: 'x' });
    expect((await waiting).envelope.to).toEqual(['b@example.com']);
    await expect(smtp.waitFor((m) => m.subject === 'never', 100)).rejects.toThrow(/no matching mail/);
  });
});

describe('authentication', () => {
  it('accepts the configured user, refuses a wrong password with 535 and unauthenticated mail with 530', async () => {
    const ok = await transport(authed, { auth: { user: 'mailer', pass: 's3cret' } }).sendMail({
      from: 'a@switchboard.test',
      to: 'b@example.com',
      subject: 'authed',
      text: 'x',
    });
    expect(ok.accepted).toEqual(['b@example.com']);
    expect((await authed.waitFor((m) => m.subject === 'authed')).authUser).toBe('mailer');

    const wrong = await smtpError(
      transport(authed, { auth: { user: 'mailer', pass: 'nope' } }).sendMail({ from: 'a@switchboard.test', to: 'b@example.com', text: 'x' }),
    );
    expect(wrong).toMatchObject({ code: 'EAUTH', responseCode: 535 });

    const anonymous = await smtpError(transport(authed).sendMail({ from: 'a@switchboard.test', to: 'b@example.com', text: 'x' }));
    expect(anonymous.responseCode).toBe(530);
  });
});

describe('failure injection', () => {
  it('rejects one recipient with 550 (EENVELOPE) and keeps the others', async () => {
    smtp.behaviour.add({ recipient: 'gone@example.com', fault: { type: 'permanent' } });
    const only = await smtpError(transport(smtp).sendMail({ from: 'a@switchboard.test', to: 'gone@example.com', text: 'x' }));
    expect(only).toMatchObject({ code: 'EENVELOPE', responseCode: 550 });
    expect(only.response).toMatch(/^550 5\.1\.1 <gone@example\.com>: Recipient address rejected/);

    const mixed = await transport(smtp).sendMail({
      from: 'a@switchboard.test',
      to: ['gone@example.com', 'here@example.com'],
      subject: 'mixed',
      text: 'x',
    });
    expect(mixed.accepted).toEqual(['here@example.com']);
    expect(mixed.rejected).toEqual(['gone@example.com']);
    expect((await smtp.waitFor((m) => m.subject === 'mixed')).envelope.to).toEqual(['here@example.com']);
  });

  it('answers 451 for rate limits (global, at MAIL FROM) and temporary server errors, then recovers', async () => {
    smtp.behaviour.add({ times: 1, fault: { type: 'rate-limit' } });
    const limited = await smtpError(transport(smtp).sendMail({ from: 'a@switchboard.test', to: 'b@example.com', text: 'x' }));
    expect(limited).toMatchObject({ code: 'EENVELOPE', responseCode: 451 });
    expect(limited.response).toMatch(/4\.7\.1/);

    smtp.behaviour.add({ recipient: 'b@example.com', times: 1, fault: { type: 'server-error' } });
    const temporary = await smtpError(transport(smtp).sendMail({ from: 'a@switchboard.test', to: 'b@example.com', text: 'x' }));
    expect(temporary).toMatchObject({ code: 'EENVELOPE', responseCode: 451 });

    const recovered = await transport(smtp).sendMail({ from: 'a@switchboard.test', to: 'b@example.com', text: 'x' });
    expect(recovered.accepted).toEqual(['b@example.com']);
    expect(smtp.requests().filter((r) => r.status === 451).map((r) => r.path)).toEqual(['MAIL FROM', 'RCPT TO']);
  });

  it('answers slowly, or never (nodemailer times out)', async () => {
    smtp.behaviour.add({ recipient: 'slow@example.com', times: 1, delayMs: 400 });
    const started = Date.now();
    await transport(smtp).sendMail({ from: 'a@switchboard.test', to: 'slow@example.com', text: 'x' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);

    smtp.behaviour.add({ recipient: 'silent@example.com', times: 1, fault: { type: 'timeout' } });
    const silent = await smtpError(
      transport(smtp, { socketTimeout: 400 }).sendMail({ from: 'a@switchboard.test', to: 'silent@example.com', text: 'x' }),
    );
    expect(silent.code).toBe('ETIMEDOUT');
  });

  it('is controllable through control commands too', async () => {
    await smtp.control({ action: 'add-rule', rule: { recipient: 'Blocked@Example.com', fault: { type: 'permanent', code: 554 } } });
    const blocked = await smtpError(transport(smtp).sendMail({ from: 'a@switchboard.test', to: 'blocked@example.com', text: 'x' }));
    expect(blocked.responseCode).toBe(554);
    const state = (await smtp.control({ action: 'state' })) as { rules: Array<{ matched: number }> };
    expect(state.rules[0]!.matched).toBe(1);
  });
});
