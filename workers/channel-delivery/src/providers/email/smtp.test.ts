import { randomUUID } from 'node:crypto';
import { startSmtpStandIn, type SmtpStandIn } from '@switchboard/provider-stand-ins';
import { ProviderError, type EmailProvider, type OutgoingEmail } from '../provider';
import { createSmtpEmailProvider } from './smtp';

const TO = 'ada@example.com';

let standIn: SmtpStandIn;
let withAuth: SmtpStandIn;
const providers: EmailProvider[] = [];

beforeAll(async () => {
  [standIn, withAuth] = await Promise.all([startSmtpStandIn(), startSmtpStandIn({ auth: { user: 'relay', pass: 'relay-pass' } })]);
});
afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()));
  await standIn.control({ action: 'reset' });
  standIn.clearMessages();
});
afterAll(async () => {
  await Promise.all([standIn.close(), withAuth.close()]);
});

function provider(url = `smtp://127.0.0.1:${standIn.port}?ignoreTLS=true`, timeoutMs = 5_000): EmailProvider {
  const created = createSmtpEmailProvider({ url, timeoutMs });
  providers.push(created);
  return created;
}

const email = (overrides: Partial<OutgoingEmail> = {}): OutgoingEmail => ({
  messageId: randomUUID(),
  from: { address: 'support@acme.example', name: 'Acme Support' },
  to: { address: TO, name: 'Ada Lovelace' },
  replyTo: 'help@acme.example',
  subject: 'Your order has shipped',
  html: '<p>It is on its way.</p>',
  text: 'It is on its way.',
  ...overrides,
});

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe('SMTP provider (nodemailer against the stand-in)', () => {
  it('delivers the mail with our Message-ID, which is the provider message id', async () => {
    const message = email();
    const accepted = await provider().send(message);

    expect(accepted).toEqual({ providerMessageId: `<${message.messageId}@switchboard>`, status: 'SENT', providerStatus: 'accepted' });
    const mail = await standIn.waitFor((m) => m.messageId === accepted.providerMessageId);
    expect(mail).toMatchObject({
      envelope: { from: 'support@acme.example', to: [TO] },
      subject: 'Your order has shipped',
      from: '"Acme Support" <support@acme.example>',
      to: [TO],
      text: 'It is on its way.',
      html: '<p>It is on its way.</p>',
    });
    expect(mail.headers['reply-to']).toContain('help@acme.example');
  });

  it('authenticates when the URL carries credentials', async () => {
    const accepted = await provider(`smtp://relay:relay-pass@127.0.0.1:${withAuth.port}?ignoreTLS=true`).send(email());
    const mail = await withAuth.waitFor((m) => m.messageId === accepted.providerMessageId);
    expect(mail.authUser).toBe('relay');
  });

  it('treats refused credentials (535) as permanent', async () => {
    const error = await failure(provider(`smtp://relay:wrong@127.0.0.1:${withAuth.port}?ignoreTLS=true`).send(email()));
    expect(error).toMatchObject({ kind: 'PERMANENT', code: '535' });
  });

  it('treats a rejected recipient (550) as permanent, without the address in the reason', async () => {
    standIn.behaviour.add({ recipient: TO, fault: { type: 'permanent' } });
    const error = await failure(provider().send(email()));
    expect(error).toMatchObject({ kind: 'PERMANENT', code: '550' });
    expect(error.reason).not.toContain(TO);
  });

  it.each([[{ type: 'server-error' as const }], [{ type: 'rate-limit' as const }]])('treats %j (451) as transient', async (fault) => {
    standIn.behaviour.add({ recipient: TO, fault });
    const error = await failure(provider().send(email()));
    expect(error).toMatchObject({ kind: 'TRANSIENT', code: '451' });
  });

  it('treats a server that does not answer in time as transient', async () => {
    standIn.behaviour.add({ recipient: TO, fault: { type: 'timeout' } });
    const error = await failure(provider(undefined, 400).send(email()));
    expect(error).toMatchObject({ kind: 'TRANSIENT', code: 'TIMEOUT' });
  });

  it('treats a refused connection as transient', async () => {
    const error = await failure(provider('smtp://127.0.0.1:1?ignoreTLS=true').send(email()));
    expect(error.kind).toBe('TRANSIENT');
  });
});
