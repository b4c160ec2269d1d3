// SMTP stand-in: a real SMTP server (smtp-server) that stores what it receives, parsed with
// mailparser, and answers with the reply codes an SMTP relay uses (535, 550, 451, 421 …).
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import { Behaviour, type BehaviourRule } from '../behaviour';
import { runControlCommand, type ControlCommand, type Controllable } from '../control';
import { sleep } from '../http';
import { silentLog, type StandInLog } from '../log';
import { maskRecipient } from '../mask';
import { RequestLog, type RequestLogEntry } from '../request-log';

export interface SmtpStandInOptions {
  host?: string;
  port?: number;
  /** When set, clients must AUTH (PLAIN/LOGIN) with these; a wrong password gets 535. */
  auth?: { user: string; pass: string };
  /** Largest message accepted, in bytes (default 10 MiB; larger → 552). */
  maxMessageBytes?: number;
  /** Hostname in the greeting. */
  name?: string;
  log?: StandInLog;
}

export interface ReceivedMail {
  id: string;
  receivedAt: Date;
  /** SMTP envelope: MAIL FROM and the accepted RCPT TO addresses. */
  envelope: { from: string | null; to: string[] };
  authUser?: string;
  messageId?: string;
  subject?: string;
  from?: string;
  /** Addresses of the To header. */
  to: string[];
  cc: string[];
  text?: string;
  html?: string;
  headers: Record<string, string>;
  attachments: Array<{ filename?: string; contentType: string; size: number }>;
  /** The message exactly as received (RFC 5322). */
  raw: string;
}

export interface SmtpStandIn extends Controllable {
  readonly host: string;
  readonly port: number;
  readonly auth?: { user: string; pass: string };
  readonly behaviour: Behaviour;
  messages(): ReceivedMail[];
  /** Resolves with the first stored mail matching `predicate` (already stored or arriving later). */
  waitFor(predicate: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  clearMessages(): void;
  control(command: ControlCommand): Promise<unknown>;
  close(): Promise<void>;
}

class SmtpReply extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** SMTP replies for each fault (`code` of a permanent fault overrides 550, e.g. 552/553/554). */
function faultReply(rule: BehaviourRule, step: string, address: string | undefined): SmtpReply | 'timeout' | undefined {
  const fault = rule.fault;
  if (fault === undefined) return undefined;
  switch (fault.type) {
    case 'timeout':
      return 'timeout';
    case 'rate-limit':
      return new SmtpReply(451, '4.7.1 Rate limit exceeded, try again later');
    case 'server-error':
      return new SmtpReply(451, '4.3.0 Temporary server error, try again later');
    case 'permanent':
    case 'undelivered': {
      const code = fault.code ?? 550;
      return step === 'MAIL FROM'
        ? new SmtpReply(code, `5.7.1 <${address ?? ''}>: Sender address rejected: Access denied`)
        : new SmtpReply(code, `5.1.1 <${address ?? ''}>: Recipient address rejected: User unknown`);
    }
  }
}

export async function startSmtpStandIn(options: SmtpStandInOptions = {}): Promise<SmtpStandIn> {
  const log = options.log ?? silentLog;
  const host = options.host ?? '127.0.0.1';
  const behaviour = new Behaviour();
  const requestLog = new RequestLog();
  let mails: ReceivedMail[] = [];
  const waiters = new Set<{ predicate: (mail: ReceivedMail) => boolean; resolve: (mail: ReceivedMail) => void }>();
  const held = new Set<() => void>();

  /** Applies a rule at an SMTP step: delay, then the fault's reply (or holding the reply forever). */
  async function applyRule(
    rule: BehaviourRule | undefined,
    step: string,
    address: string | undefined,
    callback: (error?: Error | null) => void,
  ): Promise<void> {
    if (rule?.delayMs) await sleep(rule.delayMs);
    const reply = rule === undefined ? undefined : faultReply(rule, step, address);
    if (reply === 'timeout') {
      requestLog.record({ method: 'SMTP', path: step, recipient: address, fault: 'timeout', delayMs: rule?.delayMs });
      // Never answer; on close the connection is dropped.
      held.add(() => callback(new SmtpReply(421, '4.4.2 Closing connection')));
      return;
    }
    if (reply !== undefined) {
      requestLog.record({ method: 'SMTP', path: step, recipient: address, status: reply.responseCode, fault: rule?.fault?.type, delayMs: rule?.delayMs });
      log.info({ step, to: maskRecipient(address), code: reply.responseCode }, 'smtp stand-in rejected');
      callback(reply);
      return;
    }
    requestLog.record({ method: 'SMTP', path: step, recipient: address, status: 250, delayMs: rule?.delayMs });
    callback();
  }

  const server = new SMTPServer({
    secure: false,
    name: options.name ?? 'smtp.stand-in.local',
    banner: 'Switchboard SMTP stand-in',
    disabledCommands: options.auth === undefined ? ['STARTTLS', 'AUTH'] : ['STARTTLS'],
    authOptional: options.auth === undefined,
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    size: options.maxMessageBytes ?? 10 * 1024 * 1024,
    logger: false,
    // Connections still open when the stand-in closes are dropped after this (default 30 s).
    closeTimeout: 500,
    onAuth(auth, _session, callback) {
      const ok = options.auth !== undefined && auth.username === options.auth.user && auth.password === options.auth.pass;
      requestLog.record({ method: 'SMTP', path: 'AUTH', status: ok ? 235 : 535 });
      if (!ok) {
        callback(new SmtpReply(535, '5.7.8 Authentication credentials invalid'));
        return;
      }
      callback(null, { user: auth.username });
    },
    onMailFrom(address: SMTPServerAddress, _session: SMTPServerSession, callback) {
      void applyRule(behaviour.take(undefined, 'global'), 'MAIL FROM', address.address, callback);
    },
    onRcptTo(address: SMTPServerAddress, _session: SMTPServerSession, callback) {
      void applyRule(behaviour.take(address.address, 'specific'), 'RCPT TO', address.address, callback);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          requestLog.record({ method: 'SMTP', path: 'DATA', status: 552 });
          callback(new SmtpReply(552, '5.3.4 Message exceeds fixed maximum message size'));
          return;
        }
        const raw = Buffer.concat(chunks);
        store(raw, session).then(
          (mail) => {
            requestLog.record({ method: 'SMTP', path: 'DATA', status: 250, resourceId: mail.id });
            callback(null, `2.0.0 Ok: queued as ${mail.id}`);
          },
          (error: unknown) => {
            requestLog.record({ method: 'SMTP', path: 'DATA', status: 554 });
            callback(new SmtpReply(554, `5.6.0 Message could not be parsed: ${String(error)}`));
          },
        );
      });
    },
  });

  async function store(raw: Buffer, session: SMTPServerSession): Promise<ReceivedMail> {
    const parsed = await simpleParser(raw);
    const headers: Record<string, string> = {};
    for (const line of parsed.headerLines) headers[line.key] = line.line.slice(line.line.indexOf(':') + 1).trim();
    const mail: ReceivedMail = {
      id: randomUUID(),
      receivedAt: new Date(),
      envelope: {
        from: session.envelope.mailFrom === false ? null : session.envelope.mailFrom.address,
        to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
      },
      authUser: typeof session.user === 'string' ? session.user : undefined,
      messageId: parsed.messageId,
      subject: parsed.subject,
      from: parsed.from?.text,
      to: addresses(parsed.to),
      cc: addresses(parsed.cc),
      text: parsed.text,
      html: parsed.html === false ? undefined : parsed.html,
      headers,
      attachments: parsed.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.size })),
      raw: raw.toString('utf8'),
    };
    mails.push(mail);
    log.info({ id: mail.id, to: mail.envelope.to.map(maskRecipient), bytes: raw.length }, 'smtp stand-in stored a mail');
    for (const waiter of [...waiters]) {
      if (waiter.predicate(mail)) {
        waiters.delete(waiter);
        waiter.resolve(mail);
      }
    }
    return mail;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => log.warn({ error: String(error) }, 'smtp stand-in connection error'));
  const { port } = server.server.address() as AddressInfo;

  const standIn: SmtpStandIn = {
    host,
    port,
    auth: options.auth,
    behaviour,
    requests: (): RequestLogEntry[] => requestLog.list(),
    clearRequests: () => requestLog.clear(),
    messages: () => [...mails],
    clearMessages: () => {
      mails = [];
    },
    waitFor: (predicate, timeoutMs = 10_000) => {
      const found = mails.find(predicate);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = {
          predicate,
          resolve: (mail: ReceivedMail) => {
            clearTimeout(timer);
            resolve(mail);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`smtp stand-in: no matching mail within ${timeoutMs} ms (${mails.length} stored)`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    describe: () => ({
      channel: 'smtp',
      host,
      port,
      auth: options.auth === undefined ? null : { user: options.auth.user },
      messages: mails.length,
    }),
    channelCommand: async (command) => {
      if (command.action === 'messages') {
        return { messages: mails.map(({ raw: _raw, ...mail }) => mail) };
      }
      if (command.action === 'clear-messages') {
        mails = [];
        return { cleared: true };
      }
      return undefined;
    },
    control: (command) => runControlCommand(standIn, command),
    close: async () => {
      for (const release of held) release();
      held.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return standIn;
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  if (field === undefined) return [];
  const list = Array.isArray(field) ? field : [field];
  return list.flatMap((group) => group.value.map((address) => address.address ?? '')).filter((a) => a !== '');
}
