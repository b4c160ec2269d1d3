import { Harness, PHONE_NUMBER_ID, SMS_FROM, waitFor, whatsappRequest as request_ } from './helpers';

describe.each(['meta-cloud', 'twilio'] as const)('WhatsApp worker through %s', (vendor) => {
  let h: Harness;

  beforeAll(async () => {
    h = await Harness.start();
    h.standIns.whatsapp.registerTemplate({ name: 'order_update', language: 'en_US', status: 'APPROVED', category: 'UTILITY', bodyParameters: 2 });
    const accounts = h.accounts(vendor);
    accounts.twilio = { ...accounts.twilio!, contentSids: { 'order_update:en_US': `HX${'d'.repeat(32)}` } };
    await h.startWorkers({ accounts }, ['whatsapp']);
  });
  afterAll(async () => {
    await h.close();
  });

  /** Meta sends from the Cloud API phone number id; a Twilio WhatsApp sender's request carries its number there. */
  const whatsappRequest = (overrides: Parameters<typeof request_>[0] = {}) =>
    request_({ phoneNumberId: vendor === 'meta-cloud' ? PHONE_NUMBER_ID : SMS_FROM, ...overrides });

  /** The stand-in's send requests to one recipient (Meta: digits; Twilio: whatsapp:+…). */
  const sendsTo = (recipient: string) =>
    vendor === 'meta-cloud'
      ? h.standIns.whatsapp.requests().filter((r) => r.recipient === recipient.slice(1))
      : h.standIns.twilio.requests().filter((r) => r.recipient === `whatsapp:${recipient}`);

  it('sends a template message and publishes SENT with the provider id', async () => {
    const request = whatsappRequest({
      content: { kind: 'template', name: 'order_update', language: 'en_US', headerParameters: [], bodyParameters: ['Ada', '#1042'] },
    });
    await h.publish(request);

    const sent = await h.outcomes.status(request.payload.messageId, 'SENT');
    const [send] = sendsTo(request.payload.recipient);
    expect(sent.payload).toMatchObject({ channel: 'WHATSAPP', providerMessageId: send!.resourceId });
    expect(sent.payload.providerMessageId).toMatch(vendor === 'meta-cloud' ? /^wamid\./ : /^SM/);
    if (vendor === 'meta-cloud') {
      expect(send?.params).toMatchObject({ type: 'template', template: { name: 'order_update', components: [{ type: 'body' }] } });
    } else {
      expect(send?.params).toMatchObject({ ContentSid: `HX${'d'.repeat(32)}`, ContentVariables: '{"1":"Ada","2":"#1042"}' });
    }
  });

  it('retries a 5xx and a rate limit, then delivers', async () => {
    const request = whatsappRequest();
    const standIn = vendor === 'meta-cloud' ? h.standIns.whatsapp : h.standIns.twilio;
    const recipient = vendor === 'meta-cloud' ? request.payload.recipient.slice(1) : `whatsapp:${request.payload.recipient}`;
    standIn.behaviour.add({ recipient, times: 1, fault: { type: 'server-error' } });
    standIn.behaviour.add({ recipient, times: 1, fault: { type: 'rate-limit' } });
    await h.publish(request);

    const sent = await h.outcomes.status(request.payload.messageId, 'SENT');
    const sends = sendsTo(request.payload.recipient);
    expect(sends.map((r) => r.status)).toEqual(vendor === 'meta-cloud' ? [500, 400, 200] : [500, 429, 201]);
    expect(sent.payload.providerMessageId).toBe(sends[2]!.resourceId);
  });

  it('fails a permanent refusal at once: FAILED with code and reason, and a dead letter', async () => {
    const request = whatsappRequest(
      vendor === 'meta-cloud'
        ? { content: { kind: 'template', name: 'order_update', language: 'en_US', headerParameters: [], bodyParameters: ['only one'] } }
        : {},
    );
    if (vendor === 'twilio') h.standIns.twilio.behaviour.add({ recipient: `whatsapp:${request.payload.recipient}`, fault: { type: 'permanent', code: 63016 } });
    await h.publish(request);

    const failed = await h.outcomes.status(request.payload.messageId, 'FAILED');
    const code = vendor === 'meta-cloud' ? '132000' : '63016';
    expect(failed.payload.errorCode).toBe(code);
    expect(failed.payload.errorReason).toMatch(vendor === 'meta-cloud' ? /Number of parameters does not match/ : /outside the allowed window/);
    expect(sendsTo(request.payload.recipient)).toHaveLength(1);
    await waitFor(() => h.outcomes.deadLettersOf(request.payload.messageId).length === 1, 'dead letter');
    expect(h.outcomes.deadLettersOf(request.payload.messageId)[0]?.payload).toMatchObject({ channel: 'WHATSAPP', errorCode: code, attempts: 1 });
  });

  it('does not send again when the same request is delivered again after the send was recorded', async () => {
    const request = whatsappRequest();
    await h.publish(request);
    await h.outcomes.status(request.payload.messageId, 'SENT');
    await h.publish(request);
    await waitFor(() => h.outcomes.statusesOf(request.payload.messageId).filter((e) => e.payload.status === 'SENT').length === 2, 'second SENT');
    expect(sendsTo(request.payload.recipient)).toHaveLength(1);
  });
});
