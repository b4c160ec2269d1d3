import { usesFlexibleRequestHeader } from './api-keys';
import { Reader } from './reader';

export interface RequestHeader {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
}

/**
 * Reads request header v1 (key, version, correlation id, nullable client id) or v2 (the same,
 * then tagged fields). Leaves the reader at the start of the request body.
 */
export function readRequestHeader(reader: Reader): RequestHeader {
  const apiKey = reader.int16();
  const apiVersion = reader.int16();
  const correlationId = reader.int32();
  const clientId = reader.nullableString();
  if (usesFlexibleRequestHeader(apiKey, apiVersion)) reader.taggedFields();
  return { apiKey, apiVersion, correlationId, clientId };
}
