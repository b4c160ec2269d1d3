import type { BaseContext } from '@switchboard/subgraph-kit';

export type CampaignContext = BaseContext;
