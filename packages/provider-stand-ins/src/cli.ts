// `node packages/provider-stand-ins/dist/cli.js`: runs the Twilio, WhatsApp Cloud API and SMTP
// stand-ins and prints where they listen and the credentials the app must use.
import { parseArgs } from 'node:util';
import { createLogger } from '@switchboard/config';
import { startProviderStandIns } from './stand-ins';

const USAGE = `Usage: provider-stand-ins [--host 127.0.0.1] [--twilio-port 4010] [--whatsapp-port 4011]
                          [--smtp-port 2525] [--control-port 4019] [--callback-delay-ms 500]
                          [--twilio-inbound-url URL] [--twilio-status-callback-base URL]
                          [--whatsapp-webhook-url URL] [--smtp-user USER --smtp-pass PASS]
                          [--log-level info]
Ports may be 0 (any free port).`;

function port(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new Error(`--${name} must be a port number, got "${value}"`);
  return Number(value);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      'twilio-port': { type: 'string', default: '4010' },
      'whatsapp-port': { type: 'string', default: '4011' },
      'smtp-port': { type: 'string', default: '2525' },
      'control-port': { type: 'string', default: '4019' },
      'callback-delay-ms': { type: 'string', default: '500' },
      'twilio-inbound-url': { type: 'string' },
      'twilio-status-callback-base': { type: 'string' },
      'whatsapp-webhook-url': { type: 'string' },
      'smtp-user': { type: 'string' },
      'smtp-pass': { type: 'string' },
      'log-level': { type: 'string', default: 'info' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const callbackDelayMs = Number(values['callback-delay-ms']);
  if (!Number.isFinite(callbackDelayMs) || callbackDelayMs < 0) throw new Error('--callback-delay-ms must be a number >= 0');
  if ((values['smtp-user'] === undefined) !== (values['smtp-pass'] === undefined)) {
    throw new Error('--smtp-user and --smtp-pass go together');
  }
  const log = createLogger('provider-stand-ins', values['log-level']);
  const standIns = await startProviderStandIns({
    host: values.host,
    log,
    controlPort: port('control-port', values['control-port']),
    twilio: {
      port: port('twilio-port', values['twilio-port']),
      callbackDelayMs,
      inboundWebhookUrl: values['twilio-inbound-url'],
      statusCallbackBase: values['twilio-status-callback-base'],
    },
    whatsapp: {
      port: port('whatsapp-port', values['whatsapp-port']),
      callbackDelayMs,
      webhookUrl: values['whatsapp-webhook-url'],
    },
    smtp: {
      port: port('smtp-port', values['smtp-port']),
      auth:
        values['smtp-user'] === undefined ? undefined : { user: values['smtp-user'], pass: values['smtp-pass']! },
    },
  });
  const { twilio, whatsapp, smtp } = standIns;
  process.stdout.write(
    [
      'Provider stand-ins running (local only, no real messages are sent):',
      `  Twilio     ${twilio.url}   (SDK: httpClient rewriting https://api.twilio.com to this URL)`,
      `             account sid ${twilio.accountSid}`,
      `             auth token  ${twilio.authToken}`,
      `             numbers     ${twilio.ownedNumbers().map((n) => n.phoneNumber).join(', ')}`,
      `  WhatsApp   ${whatsapp.url}   (POST /v23.0/${whatsapp.phoneNumberId}/messages)`,
      `             access token ${whatsapp.token}`,
      `             app secret   ${whatsapp.appSecret}`,
      `             phone number id ${whatsapp.phoneNumberId}, display number ${whatsapp.displayPhoneNumber}, WABA ${whatsapp.wabaId}`,
      `             webhooks to  ${values['whatsapp-webhook-url'] ?? '(none: pass --whatsapp-webhook-url)'}`,
      `  SMTP       ${smtp.host}:${smtp.port}   (no TLS${smtp.auth ? `, user ${smtp.auth.user} / pass ${smtp.auth.pass}` : ', no auth'})`,
      `  Control    ${standIns.control.url}/__control   (GET: state; POST {"channel":"twilio","action":"add-rule","rule":{…}})`,
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    standIns.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('error while stopping the stand-ins:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
