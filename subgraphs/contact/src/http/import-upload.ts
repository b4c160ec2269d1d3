import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError } from 'graphql';
import { roleAtLeast, type Caller } from '@switchboard/auth';
import type { Logger } from '@switchboard/config';
import { forbidden, unauthenticated, userError, type SubgraphRoute } from '@switchboard/subgraph-kit';
import type { ImportService } from '../domain/import-service';

/**
 * `POST /uploads/contacts?defaultCountry=GB` — a bulk import whose CSV is the raw request body
 * (`content-type: text/csv`), for files too large for a GraphQL request. Same rules, limits and
 * answers as the `importContacts` mutation (ADMIN; the whole file checked before a job exists);
 * answers 202 with the job, to poll with `importJob(id)`.
 *
 * Why a route and not only the mutation: a 100,000-row CSV (~7–10 MB) as a GraphQL argument is
 * decoded to a string, JSON-parsed into a second string, (at the gateway) parsed and serialised
 * again — several UTF-16 copies of the file on the JavaScript heap of each process it crosses.
 * Here the body is read chunk by chunk straight into its UTF-8 bytes (one copy, off the heap),
 * which the job then parses as a stream. Behind the gateway's signed caller context (auth
 * `caller`), like /graphql: the gateway must proxy it (see README, "Bulk import").
 */
export const CONTACT_UPLOAD_PATH = '/uploads/contacts';

/** Largest CSV upload: 100,000 rows of a wide file (many attribute columns) stay under it. */
export const MAX_UPLOAD_BYTES = 32 * 1024 * 1024;

const ACCEPTED_TYPES = new Set(['text/csv', 'text/plain', 'application/csv', 'application/octet-stream']);

const HTTP_STATUS: Record<string, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_REQUESTS: 429,
};

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

/** Reads the body into one Buffer of its bytes, refusing more than `limit` (413) without holding it. */
function readUpload(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () =>
    userError('PAYLOAD_TOO_LARGE', `The upload is larger than ${limit} bytes`, { maxBytes: limit });
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        req.removeAllListeners('data');
        req.resume(); // drained, so the client reads the 413
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > limit) return;
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      chunks.length = 0;
      resolve(body);
    });
    req.on('error', reject);
  });
}

function contentTypeOf(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

export function importUploadRoute(imports: ImportService, log: Logger): SubgraphRoute {
  return {
    method: 'POST',
    path: CONTACT_UPLOAD_PATH,
    auth: 'caller',
    streamBody: true,
    async handler(req, res, _rawBody, caller?: Caller) {
      try {
        if (!caller || caller.kind !== 'user') throw unauthenticated();
        if (!roleAtLeast(caller.role, 'ADMIN')) throw forbidden(`This needs the ADMIN role or higher; you are ${caller.role}`);
        const type = contentTypeOf(req);
        if (!ACCEPTED_TYPES.has(type)) {
          throw userError('UNSUPPORTED_MEDIA_TYPE', 'Send the CSV file as the request body with content-type text/csv', {
            contentType: type || null,
          });
        }
        const defaultCountry = new URL(req.url ?? '/', 'http://contact').searchParams.get('defaultCountry');
        const bytes = await readUpload(req, MAX_UPLOAD_BYTES);
        const job = await imports.start(caller.organizationId, caller.userId, { csv: bytes, defaultCountry }, caller.requestId);
        sendJson(res, 202, {
          importJob: { id: job.id, status: job.status, format: job.format, totalRows: job.totalRows, createdAt: job.createdAt.toISOString() },
        });
      } catch (error) {
        if (error instanceof GraphQLError && typeof error.extensions.code === 'string' && HTTP_STATUS[error.extensions.code]) {
          const status = HTTP_STATUS[error.extensions.code]!;
          if (!req.complete) req.resume();
          sendJson(res, status, { errors: [{ message: error.message, extensions: error.extensions }] }, status === 413 ? { connection: 'close' } : {});
          return;
        }
        log.error({ err: error }, 'contact upload failed');
        if (!res.headersSent) {
          sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
        }
      }
    },
  };
}
