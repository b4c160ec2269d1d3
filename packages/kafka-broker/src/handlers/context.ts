import type { GroupCoordinator } from '../groups/group-coordinator';
import type { OffsetStore } from '../groups/offset-store';
import type { TopicStore } from '../log/topic-store';
import type { Logger } from '../logger';
import type { BrokerConfig } from '../options';
import type { Reader } from '../protocol/reader';
import type { RequestHeader } from '../protocol/request-header';
import type { Writer } from '../protocol/writer';

/** Everything a handler may use: the broker's state, shared by all connections. */
export interface BrokerState {
  readonly config: BrokerConfig;
  readonly logger: Logger;
  readonly topics: TopicStore;
  readonly groups: GroupCoordinator;
  readonly offsets: OffsetStore;
  readonly nodeId: number;
  readonly clusterId: string;
  /** The port clients are told to connect to (the bound one unless configured otherwise). */
  port: number;
  nextProducerId: number;
}

/** One decoded request header plus a reader positioned at the request body. */
export interface RequestContext {
  readonly header: RequestHeader;
  readonly reader: Reader;
  readonly clientHost: string;
  /** Registers a callback for when the connection closes; returns an unregister function. */
  onClose(callback: () => void): () => void;
}

/** A response body, or null when the request gets no response (Produce with acks 0). */
export type ResponseBody = Writer | null;
export type HandlerResult = ResponseBody | Promise<ResponseBody>;
export type Handler = (ctx: RequestContext, broker: BrokerState) => HandlerResult;
