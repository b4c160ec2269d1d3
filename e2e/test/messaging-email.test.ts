import type { SeededUser, TestSystem } from '@switchboard/testkit';
import { STATUS_SUBSCRIPTION, emailSender, historyOf, send, statusesSeen, subscribe, waitForStatus } from './support/messaging';
import { setUpMessagingSystem } from './support/messaging-setup';

/**
 * An email from the API to the (stand-in) SMTP server through nodemailer: the mail arrives with our
 * sender, subject, text and Message-ID; the message becomes SENT (SMTP has no delivery receipts), and
 * a subscriber sees SENDING then SENT. A recipient the server refuses (550) fails the message.
 */
let system: TestSystem;
let owner: SeededUser;
const { subscribers } = setUpMessagingSystem({ ready: (setup) => ({ system, owner } = setup) });

it('sends an email over SMTP: the mail arrives as written, the message is SENT, the subscriber sees each change', async () => {
  const sender = await emailSender(system, owner);
  const watcher = await subscribe(system, owner.accessToken, STATUS_SUBSCRIPTION);
  subscribers.push(watcher);

  const queued = await send(system, owner, {
    channel: 'EMAIL',
    senderId: sender.id,
    to: 'ann.customer@example.org',
    subject: 'Your order has shipped',
    body: 'Hello Ann, your order 1042 left our warehouse today.',
  });
  expect(queued).toMatchObject({ status: 'QUEUED', channel: 'EMAIL', to: 'ann.customer@example.org' });

  const mail = await system.standIns.smtp.waitFor((m) => m.envelope.to.includes('ann.customer@example.org'));
  expect(mail.envelope.from).toBe(sender.address);
  expect(mail.subject).toBe('Your order has shipped');
  expect(mail.text?.trim()).toBe('Hello Ann, your order 1042 left our warehouse today.');
  expect(mail.from).toContain('Acme Support');
  expect(mail.messageId).toBe(`<${queued.id}@switchboard>`);

  const sent = await waitForStatus(system, owner, queued.id, 'SENT');
  expect(historyOf(sent)).toEqual(['QUEUED', 'SENDING', 'SENT']);
  expect(sent.attempts).toBe(1);

  await watcher.waitFor((value) => value.data?.messageStatusChanged?.status === 'SENT');
  expect(statusesSeen(watcher, queued.id)).toEqual(['SENDING', 'SENT']);
  const last = watcher.events.at(-1)!.value.data.messageStatusChanged;
  expect(last).toMatchObject({ messageId: queued.id, channel: 'EMAIL', previousStatus: 'SENDING', message: { id: queued.id, status: 'SENT' } });
});

it('a recipient the SMTP server refuses (550) fails the message with the reason, without retries', async () => {
  const sender = await emailSender(system, owner);
  system.standIns.smtp.behaviour.add({ recipient: 'nobody@example.org', fault: { type: 'permanent', code: 550 } });

  const queued = await send(system, owner, { channel: 'EMAIL', senderId: sender.id, to: 'nobody@example.org', subject: 'Hello', body: 'Anyone there?' });
  const failed = await waitForStatus(system, owner, queued.id, 'FAILED');
  expect(historyOf(failed)).toEqual(['QUEUED', 'SENDING', 'FAILED']);
  expect(failed.errorCode).toBe('550');
  expect(failed.errorReason).toMatch(/\S/u);
  expect(failed.errorReason).not.toContain('nobody@example.org');
  expect(system.standIns.smtp.messages().some((m) => m.envelope.to.includes('nobody@example.org'))).toBe(false);
});
