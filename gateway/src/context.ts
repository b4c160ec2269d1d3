import type { Caller } from '@switchboard/auth';

/** Per-operation context inside the gateway: who is calling, forwarded (signed) to every subgraph. */
export interface GatewayContext {
  caller: Caller;
  requestId: string;
}
