import type DataLoader from 'dataloader';
import type { Message, MessageStatusChange, Sender } from '@switchboard/db';
import type { BaseContext } from '@switchboard/subgraph-kit';
import type { InboundService } from './domain/inbound-service';
import type { MessageQueryService } from './domain/message-query-service';
import type { ProjectionService } from './domain/projection-service';
import type { SendService } from './domain/send-service';
import type { SenderService } from './domain/sender-service';
import type { StatusService } from './domain/status-service';

/** Services live as long as the subgraph; loaders are per request. */
export interface MessagingServices {
  sending: SendService;
  senders: SenderService;
  messages: MessageQueryService;
  statuses: StatusService;
  inbound: InboundService;
  projections: ProjectionService;
}

/** Per-request batching, scoped to the caller's organization (null for anonymous callers). */
export interface MessagingLoaders {
  message: DataLoader<string, Message | null>;
  sender: DataLoader<string, Sender | null>;
  statusHistory: DataLoader<string, MessageStatusChange[]>;
}

export interface MessagingContext extends BaseContext {
  services: MessagingServices;
  loaders: MessagingLoaders | null;
}
