import http from 'node:http';

/** A GraphQL response body, read ad hoc. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type GraphQLBody = { data?: any; errors?: unknown[] };

/**
 * A JSON POST over node's http with the benchmark's keep-alive agent (the driver's own cost kept
 * small and the same for every benchmark): resolves with the status and the parsed body.
 */
export function jsonPoster(agent: http.Agent) {
  return function postJson(url: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; body: GraphQLBody }> {
    const payload = JSON.stringify(body);
    const target = new URL(url);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent,
          hostname: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            try {
              resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as GraphQLBody });
            } catch (error) {
              reject(error as Error);
            }
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  };
}
