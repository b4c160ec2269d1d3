import type { EventOfType, SwitchboardEvent } from '@switchboard/events';
import type { ProjectionService } from '../domain/projection-service';

export const CONTACT_TOPICS = ['contact.changed'] as const;

/**
 * Keeps messaging's contact projection from `contact.changed`, a batch at a time (runConsumer's
 * batch mode): a contact import publishes one event per row, and one bulk upsert per batch keeps
 * up with it where one transaction per event did not. Same rules as one event at a time: an older
 * state never overwrites a newer one, a keyword received here is kept, tombstones mark deleted.
 */
export function contactBatchHandler(projections: ProjectionService) {
  return async (events: SwitchboardEvent[]): Promise<void> => {
    const changes = events.filter((event): event is EventOfType<'contact.changed'> => event.type === 'contact.changed');
    if (changes.length === 0) return;
    await projections.applyContactChanges(changes);
  };
}
