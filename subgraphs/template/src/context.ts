import type { BaseContext } from '@switchboard/subgraph-kit';

export type TemplateContext = BaseContext;
