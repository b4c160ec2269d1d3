import type { SwitchboardEvent } from '@switchboard/events';
import type { ProjectionService } from '../domain/projection-service';

export const TEMPLATE_TOPICS = ['template.changed'] as const;

/** Keeps messaging's template projection from `template.changed` (upsert guarded by the template's updatedAt). */
export function templateHandler(projections: ProjectionService) {
  return async (event: SwitchboardEvent): Promise<void> => {
    if (event.type === 'template.changed') await projections.applyTemplateChanged(event);
  };
}
