/** Kafka API keys the broker answers. */
export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  InitProducerId: 22,
} as const;

export type ApiKeyValue = (typeof ApiKey)[keyof typeof ApiKey];

export interface VersionRange {
  readonly apiKey: ApiKeyValue;
  readonly name: string;
  readonly min: number;
  readonly max: number;
}

/**
 * What ApiVersions advertises. kafkajs uses min(its max, ours) and librdkafka needs ranges that
 * include Produce v3, Fetch v4 and FindCoordinator v0; see docs/kafka-broker.md.
 */
export const SUPPORTED_VERSIONS: readonly VersionRange[] = [
  { apiKey: ApiKey.Produce, name: 'Produce', min: 3, max: 7 },
  { apiKey: ApiKey.Fetch, name: 'Fetch', min: 4, max: 11 },
  { apiKey: ApiKey.ListOffsets, name: 'ListOffsets', min: 2, max: 3 },
  { apiKey: ApiKey.Metadata, name: 'Metadata', min: 4, max: 4 },
  { apiKey: ApiKey.OffsetCommit, name: 'OffsetCommit', min: 5, max: 5 },
  { apiKey: ApiKey.OffsetFetch, name: 'OffsetFetch', min: 4, max: 4 },
  { apiKey: ApiKey.FindCoordinator, name: 'FindCoordinator', min: 0, max: 2 },
  { apiKey: ApiKey.JoinGroup, name: 'JoinGroup', min: 5, max: 5 },
  { apiKey: ApiKey.Heartbeat, name: 'Heartbeat', min: 3, max: 3 },
  { apiKey: ApiKey.LeaveGroup, name: 'LeaveGroup', min: 1, max: 1 },
  { apiKey: ApiKey.SyncGroup, name: 'SyncGroup', min: 3, max: 3 },
  { apiKey: ApiKey.DescribeGroups, name: 'DescribeGroups', min: 0, max: 2 },
  { apiKey: ApiKey.ListGroups, name: 'ListGroups', min: 0, max: 2 },
  { apiKey: ApiKey.ApiVersions, name: 'ApiVersions', min: 0, max: 3 },
  { apiKey: ApiKey.CreateTopics, name: 'CreateTopics', min: 3, max: 3 },
  { apiKey: ApiKey.DeleteTopics, name: 'DeleteTopics', min: 1, max: 1 },
  { apiKey: ApiKey.InitProducerId, name: 'InitProducerId', min: 0, max: 1 },
];

const byKey = new Map<number, VersionRange>(SUPPORTED_VERSIONS.map((range) => [range.apiKey, range]));

export function versionRange(apiKey: number): VersionRange | undefined {
  return byKey.get(apiKey);
}

/** Request header v2 (flexible) is used only by the flexible versions we accept: ApiVersions v3+. */
export function usesFlexibleRequestHeader(apiKey: number, apiVersion: number): boolean {
  return apiKey === ApiKey.ApiVersions && apiVersion >= 3;
}
