import { emailRequest, Harness, waitFor } from './helpers';

let h: Harness;

beforeAll(async () => {
  h = await Harness.start();
  await h.startWorkers({}, ['email']);
});
afterAll(async () => {
  await h.close();
});

/** RCPT TO commands the SMTP stand-in received for one recipient: one per send attempt. */
const attemptsTo = (recipient: string) => h.standIns.smtp.requests().filter((r) => r.path === 'RCPT TO' && r.recipient === recipient);

describe('email worker (SMTP stand-in)', () => {
  it('sends a requested email and publishes SENT with our Message-ID', async () => {
    const request = emailRequest({ subject: 'Your order has shipped', text: 'It is on its way.', html: null });
    await h.publish(request);

    const sent = await h.outcomes.status(request.payload.messageId, 'SENT');
    expect(sent.payload).toMatchObject({ channel: 'EMAIL', providerMessageId: `<${request.payload.messageId}@switchboard>` });
    const mail = await h.standIns.smtp.waitFor((m) => m.messageId === sent.payload.providerMessageId);
    expect(mail).toMatchObject({ envelope: { to: [request.payload.recipient] }, subject: 'Your order has shipped' });
    expect(mail.text?.trim()).toBe('It is on its way.');
    expect(mail.from).toBe('"Acme Support" <support@acme.example>');
    expect(h.outcomes.statusesOf(request.payload.messageId).map((e) => e.payload.status)).toEqual(['SENDING', 'SENT']);
  });

  it('retries temporary refusals (451 server error, 451 rate limit), then delivers', async () => {
    const request = emailRequest();
    const { recipient } = request.payload;
    h.standIns.smtp.behaviour.add({ recipient, times: 1, fault: { type: 'server-error' } });
    h.standIns.smtp.behaviour.add({ recipient, times: 1, fault: { type: 'rate-limit' } });
    await h.publish(request);

    await h.outcomes.status(request.payload.messageId, 'SENT');
    expect(attemptsTo(recipient).map((r) => r.status)).toEqual([451, 451, 250]);
    expect(h.standIns.smtp.messages().filter((m) => m.envelope.to.includes(recipient))).toHaveLength(1);
  });

  it('fails a rejected recipient (550) at once: FAILED with code and reason, and a dead letter', async () => {
    const request = emailRequest();
    h.standIns.smtp.behaviour.add({ recipient: request.payload.recipient, fault: { type: 'permanent' } });
    await h.publish(request);

    const failed = await h.outcomes.status(request.payload.messageId, 'FAILED');
    expect(failed.payload.errorCode).toBe('550');
    expect(failed.payload.errorReason).toMatch(/Recipient address rejected/);
    expect(failed.payload.errorReason).not.toContain(request.payload.recipient);
    expect(attemptsTo(request.payload.recipient)).toHaveLength(1);
    await waitFor(() => h.outcomes.deadLettersOf(request.payload.messageId).length === 1, 'dead letter');
    expect(h.outcomes.deadLettersOf(request.payload.messageId)[0]?.payload).toMatchObject({ channel: 'EMAIL', errorCode: '550', attempts: 1 });
  });

  it('does not send again when the same request is delivered again after the send was recorded', async () => {
    const request = emailRequest();
    await h.publish(request);
    await h.outcomes.status(request.payload.messageId, 'SENT');
    await h.publish(request);
    await waitFor(() => h.outcomes.statusesOf(request.payload.messageId).filter((e) => e.payload.status === 'SENT').length === 2, 'second SENT');
    expect(attemptsTo(request.payload.recipient)).toHaveLength(1);
  });
});
