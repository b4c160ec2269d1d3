/**
 * Transport side of the provider status consumer: `template.status_changed` events (messaging
 * publishes them from WhatsApp's `message_template_status_update` webhook) handed to
 * `TemplateService.applyProviderStatus`, which decides (domain/provider-status.ts) and writes.
 */
import type { SwitchboardEvent } from '@switchboard/events';
import type { MessageMeta } from '@switchboard/kafka';
import type { Logger } from '@switchboard/config';
import type { TemplateService } from '../domain/template-service';

export const STATUS_TOPICS = ['template.status_changed'] as const;

/**
 * Applies each report. Skipped reports (illegal or out-of-order transitions, unknown templates,
 * non-status events, duplicates) resolve, so their offset is committed; only unexpected failures
 * (the database) throw, and the consumer retries them with backoff.
 */
export function statusReportHandler(templates: TemplateService, log: Logger) {
  return async (event: SwitchboardEvent, meta: Pick<MessageMeta, 'topic' | 'partition' | 'offset'>): Promise<void> => {
    if (event.type !== 'template.status_changed') return;
    const report = event.payload;
    const outcome = await templates.applyProviderStatus({
      eventId: event.id,
      organizationId: event.organizationId,
      traceId: event.traceId,
      providerTemplateId: report.providerTemplateId,
      name: report.name,
      language: report.language,
      event: report.event,
      status: report.status,
      reason: report.reason,
      reportedAt: new Date(report.reportedAt),
    });
    log.debug({ eventId: event.id, partition: meta.partition, offset: meta.offset, outcome }, 'template status report handled');
  };
}
