import { SUPPORTED_VERSIONS } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { Writer } from '../protocol/writer';
import type { Handler } from './context';

/**
 * ApiVersions v0–3. v3 has a flexible body (compact array, tagged fields) but, like every
 * ApiVersions response, a v0 response header.
 */
export const handleApiVersions: Handler = (ctx) => {
  const version = ctx.header.apiVersion;
  const writer = new Writer(256);
  if (version >= 3) {
    ctx.reader.compactNullableString(); // client software name
    ctx.reader.compactNullableString(); // client software version
    ctx.reader.taggedFields();
    writer.int16(ErrorCode.NONE).uvarint(SUPPORTED_VERSIONS.length + 1);
    for (const range of SUPPORTED_VERSIONS) {
      writer.int16(range.apiKey).int16(range.min).int16(range.max).uvarint(0);
    }
    return writer.int32(0).uvarint(0);
  }
  writer.int16(ErrorCode.NONE);
  writer.array(SUPPORTED_VERSIONS, (w, range) => w.int16(range.apiKey).int16(range.min).int16(range.max));
  if (version >= 1) writer.int32(0);
  return writer;
};

/** A version we do not speak gets error 35 and our list in the v0 layout, so the client can retry. */
export function unsupportedApiVersionsResponse(): Writer {
  return new Writer(256)
    .int16(ErrorCode.UNSUPPORTED_VERSION)
    .array(SUPPORTED_VERSIONS, (w, range) => w.int16(range.apiKey).int16(range.min).int16(range.max));
}
