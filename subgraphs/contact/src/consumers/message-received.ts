import type { Logger } from '@switchboard/config';
import type { SwitchboardEvent } from '@switchboard/events';
import { planInbound } from '../domain/inbound';
import type { InboundContactService } from '../domain/inbound-service';

export const MESSAGE_RECEIVED_TOPICS = ['message.received'] as const;

/**
 * `message.received` → contacts: the processor (planInbound, pure) decides, the writer
 * (InboundContactService) applies in one transaction. Events that ask nothing of contacts (a known
 * sender without a keyword) or that cannot make a contact (an address that is no phone / email)
 * are acknowledged without a write.
 */
export function messageReceivedHandler(service: InboundContactService, log: Logger) {
  return async (event: SwitchboardEvent): Promise<void> => {
    if (event.type !== 'message.received') return;
    const plan = planInbound(event);
    if (plan.kind === 'skip') {
      const level = plan.reason === 'KNOWN_CONTACT' ? 'debug' : 'warn';
      log[level]({ eventId: event.id, channel: event.payload.channel, reason: plan.reason }, 'inbound message needs no contact change');
      return;
    }
    await service.apply(plan);
  };
}
