import type DataLoader from 'dataloader';
import type { BaseContext } from '@switchboard/subgraph-kit';
import type { TemplateService } from './domain/template-service';
import type { TemplateView } from './domain/types';

export interface TemplateContext extends BaseContext {
  templates: TemplateService;
  /** Federation references, batched per request (null for ids the organization does not have). */
  templateReferences: DataLoader<string, TemplateView | null> | null;
}
