import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { CALLER_HEADER, signCaller, type Caller } from '@switchboard/auth';
import type { GatewayContext } from './context';
import { createHttpFetcher } from './http-fetcher';

/** One fetcher (its keep-alive connections) for every subgraph of this process. */
let sharedFetcher: ReturnType<typeof createHttpFetcher> | null = null;

/** Caller used for the gateway's own requests (introspection of running subgraphs, health). */
const GATEWAY_CALLER: Caller = { kind: 'anonymous', clientIp: 'gateway', requestId: 'gateway-introspection' };

/**
 * Every fetch to a subgraph carries the signed caller context — subgraphs refuse anything else.
 * Introspection (IntrospectAndCompose) has no request context and goes as an anonymous caller.
 */
export class CallerSigningDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    options: { url: string },
    private readonly internalSecret: string,
  ) {
    sharedFetcher ??= createHttpFetcher();
    super({ ...options, fetcher: sharedFetcher });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const caller = (context as Partial<GatewayContext> | undefined)?.caller ?? GATEWAY_CALLER;
    request.http?.headers.set(CALLER_HEADER, signCaller(caller, this.internalSecret));
  }
}
