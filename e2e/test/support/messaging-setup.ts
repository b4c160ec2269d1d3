import { registerUser, startTestSystem, type SeededUser, type TestSystem } from '@switchboard/testkit';
import type { Subscriber } from './messaging';

/**
 * The frame of a messaging e2e file: one system for all its tests, with an organization owner and,
 * when the file asks for one, a sender they share. Subscribers a test opens are disposed after it,
 * so a test never receives the next one's events.
 */

export interface MessagingSetup<S> {
  system: TestSystem;
  owner: SeededUser;
  /** What `sender` made; `undefined` without it. */
  sender: S;
}

export interface MessagingSetupOptions<S> {
  /** Creates the sender the file's tests share, as the owner (e.g. `smsSender`). */
  sender?: (system: TestSystem, owner: SeededUser) => Promise<S>;
  /**
   * Called once set up, in the same `beforeAll` (a promise it returns is awaited): the file keeps
   * what its tests use — `ready: (setup) => ({ system, owner } = setup)` — and may set up more.
   */
  ready: (setup: MessagingSetup<S>) => unknown;
  /** Called after the last test, before the system stops: what `ready` set up that needs it. */
  beforeClose?: () => Promise<void>;
}

/**
 * Registers the file's `beforeAll`, `afterEach` and `afterAll`. Returns the list to push a test's
 * subscribers to.
 */
export function setUpMessagingSystem<S = undefined>(options: MessagingSetupOptions<S>): { subscribers: Subscriber[] } {
  let system: TestSystem | undefined;
  const subscribers: Subscriber[] = [];

  beforeAll(async () => {
    system = await startTestSystem();
    const owner = await registerUser(system);
    const sender = (options.sender ? await options.sender(system, owner) : undefined) as S;
    await options.ready({ system, owner, sender });
  });

  afterEach(async () => {
    await Promise.all(subscribers.splice(0).map((s) => s.dispose()));
  });

  afterAll(async () => {
    await options.beforeClose?.();
    await system?.close();
  });

  return { subscribers };
}
