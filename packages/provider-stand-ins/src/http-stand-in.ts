// The part of the Twilio and WhatsApp stand-ins that is not about their provider: fault rules, the
// request log, background callbacks, the control protocol and the server's lifecycle, in one place so
// both answer `control()` and `/__control` alike. Not in http.ts, which control.ts imports.
import { Behaviour } from './behaviour';
import { handleControlRequest, runControlCommand, type ControlCommand, type Controllable } from './control';
import { startHttpServer, type HttpHandler, type RunningHttpServer, type WebhookDelivery } from './http';
import { silentLog, type StandInLog } from './log';
import { RequestLog } from './request-log';
import { BackgroundTasks } from './tasks';

export interface HttpStandIn extends Controllable {
  readonly url: string;
  readonly port: number;
  readonly behaviour: Behaviour;
  /** Resolves once every scheduled status callback / webhook has been posted. */
  settled(): Promise<void>;
  control(command: ControlCommand): Promise<unknown>;
  close(): Promise<void>;
}

/** What a provider's stand-in brings itself: its own members, and its side of the control protocol. */
export type ProviderMembers<T extends HttpStandIn> = Omit<T, Exclude<keyof HttpStandIn, 'describe' | 'channelCommand'>>;

/** The shared state, made before the provider's handlers (they close over it), and `listen` to finish the stand-in. */
export class HttpStandInCore {
  readonly log: StandInLog;
  readonly behaviour = new Behaviour();
  readonly requestLog = new RequestLog();
  readonly tasks = new BackgroundTasks();
  /** Every status callback / webhook POST made (with its answer). */
  readonly deliveries: WebhookDelivery[] = [];
  private server: RunningHttpServer | undefined;

  /** `name` goes into log lines ("twilio stand-in request failed"). */
  constructor(private readonly name: string, log: StandInLog | undefined) {
    this.log = log ?? silentLog;
  }

  /** For `describe()`, which is built before the server listens. */
  get url(): string {
    return this.server?.url ?? '';
  }

  /** Starts the server; `/__control` is answered before `route` sees a request. */
  async listen<T extends HttpStandIn>(route: HttpHandler, address: { host?: string; port?: number }, members: ProviderMembers<T>): Promise<T> {
    const standIn = {
      ...members,
      url: '',
      port: 0,
      behaviour: this.behaviour,
      requests: () => this.requestLog.list(),
      clearRequests: () => this.requestLog.clear(),
      settled: () => this.tasks.settled(),
      control: (command: ControlCommand) => runControlCommand(standIn, command),
      close: async () => {
        await this.tasks.close();
        await server.close();
      },
    } as T;
    const server = await startHttpServer(async (request) => (await handleControlRequest(standIn, request)) ?? route(request), {
      host: address.host,
      port: address.port,
      onError: (error) => this.log.warn({ error: String(error) }, `${this.name} stand-in request failed`),
    });
    this.server = server;
    Object.assign(standIn, { url: server.url, port: server.port });
    return standIn;
  }
}
