import type { ServerResponse } from 'node:http';

export function reply(res: ServerResponse, status: number, body = '', contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

export const forbidden = (res: ServerResponse) => reply(res, 403, 'forbidden');

export function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Cuts provider text to what the event catalog accepts. */
export function clip(value: unknown, max: number): string | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const text = String(value);
  return text.length === 0 ? null : text.slice(0, max);
}
