/**
 * `npm start`: every part of Switchboard in one process (or the parts SERVICES names), configured
 * from the environment. Stops cleanly on SIGINT/SIGTERM.
 */
import { ConfigError, SERVICE_NAMES, loadSystemConfig, type SystemConfig } from './config';
import { startSystem } from './system';

async function main(): Promise<void> {
  let config: SystemConfig;
  try {
    config = loadSystemConfig();
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  }

  const system = await startSystem(config);
  const { log } = system;
  if (system.gatewayUrl) {
    const publicBase = config.publicUrl.replace(/\/$/, '');
    log.info({ gateway: system.gatewayUrl, subscriptions: system.wsUrl, graphiql: system.graphiqlUrl }, 'switchboard ready');
    console.warn(
      [
        '',
        `  Switchboard is running (${config.services.length === SERVICE_NAMES.length ? 'all services' : config.services.join(', ')})`,
        `  GraphQL:       ${system.gatewayUrl}   (Apollo Sandbox in a browser; public URL ${publicBase})`,
        `  Subscriptions: ${system.wsUrl}   (graphql-ws)`,
        `  GraphiQL:      ${system.graphiqlUrl}   (offline)`,
        ...(system.kafka ? [`  Kafka:         ${system.kafka.brokers.join(',')}   (${system.kafka.embedded ? 'embedded broker' : 'KAFKA_BROKERS'})`] : []),
        ...(system.standIns
          ? [
              `  Providers:     local stand-ins (no credentials configured) — nothing leaves this machine`,
              `                 Twilio ${system.standIns.twilio.url}, WhatsApp ${system.standIns.whatsapp.url}, SMTP ${system.standIns.smtp.host}:${system.standIns.smtp.port}`,
              `                 control ${system.standIns.control.url}/__control (GET: requests and mail received; POST: inbound messages, faults)`,
              `                 WhatsApp phone number id ${system.standIns.whatsapp.phoneNumberId} (use it for a WHATSAPP_NUMBER sender)`,
            ]
          : []),
        '',
      ].join('\n'),
    );
  } else {
    log.info({ subgraphs: system.subgraphs.map((s) => s.url) }, 'subgraphs ready');
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    const timer = setTimeout(() => {
      log.error('did not stop within 10 s; exiting');
      process.exit(1);
    }, 10_000);
    timer.unref();
    system
      .close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        log.error({ err: error }, 'error while stopping');
        process.exit(1);
      });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error('Switchboard failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
