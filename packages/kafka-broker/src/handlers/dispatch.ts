import { ApiKey, versionRange } from '../protocol/api-keys';
import { ProtocolError } from '../protocol/errors';
import { handleApiVersions, unsupportedApiVersionsResponse } from './api-versions';
import type { BrokerState, Handler, HandlerResult, RequestContext } from './context';
import { handleFetch } from './fetch';
import { handleFindCoordinator } from './find-coordinator';
import { handleHeartbeat, handleJoinGroup, handleLeaveGroup, handleSyncGroup } from './group-membership';
import { handleDescribeGroups, handleListGroups } from './groups-admin';
import { handleInitProducerId } from './init-producer-id';
import { handleListOffsets } from './list-offsets';
import { handleMetadata } from './metadata';
import { handleOffsetCommit, handleOffsetFetch } from './offsets';
import { handleProduce } from './produce';
import { handleCreateTopics, handleDeleteTopics } from './topics-admin';

const HANDLERS: ReadonlyMap<number, Handler> = new Map<number, Handler>([
  [ApiKey.Produce, handleProduce],
  [ApiKey.Fetch, handleFetch],
  [ApiKey.ListOffsets, handleListOffsets],
  [ApiKey.Metadata, handleMetadata],
  [ApiKey.OffsetCommit, handleOffsetCommit],
  [ApiKey.OffsetFetch, handleOffsetFetch],
  [ApiKey.FindCoordinator, handleFindCoordinator],
  [ApiKey.JoinGroup, handleJoinGroup],
  [ApiKey.Heartbeat, handleHeartbeat],
  [ApiKey.LeaveGroup, handleLeaveGroup],
  [ApiKey.SyncGroup, handleSyncGroup],
  [ApiKey.DescribeGroups, handleDescribeGroups],
  [ApiKey.ListGroups, handleListGroups],
  [ApiKey.ApiVersions, handleApiVersions],
  [ApiKey.CreateTopics, handleCreateTopics],
  [ApiKey.DeleteTopics, handleDeleteTopics],
  [ApiKey.InitProducerId, handleInitProducerId],
]);

/**
 * Routes a request to its handler. An unknown API or unsupported version cannot be answered in a
 * format the client would parse (except ApiVersions, which has a fallback), so it throws and the
 * connection is closed.
 */
export function dispatch(ctx: RequestContext, broker: BrokerState): HandlerResult {
  const { apiKey, apiVersion } = ctx.header;
  const range = versionRange(apiKey);
  const handler = HANDLERS.get(apiKey);
  if (range === undefined || handler === undefined) throw new ProtocolError(`unsupported API key ${apiKey}`);
  if (apiVersion < range.min || apiVersion > range.max) {
    if (apiKey === ApiKey.ApiVersions) return unsupportedApiVersionsResponse();
    throw new ProtocolError(`unsupported version ${apiVersion} of ${range.name}`);
  }
  return handler(ctx, broker);
}
