import type { SwitchboardEvent } from '@switchboard/events';
import type { ProjectionService } from '../domain/projection-service';

export const CONTACT_TOPICS = ['contact.changed'] as const;

/** Keeps messaging's contact projection from `contact.changed` (upsert guarded by the contact's updatedAt). */
export function contactHandler(projections: ProjectionService) {
  return async (event: SwitchboardEvent): Promise<void> => {
    if (event.type === 'contact.changed') await projections.applyContactChanged(event);
  };
}
