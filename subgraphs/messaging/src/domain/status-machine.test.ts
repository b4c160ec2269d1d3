import { MESSAGE_STATUSES, planTransition, progressOrder, type MessageStatus } from './status-machine';

type Expected = 'apply' | 'apply+delivered' | 'DUPLICATE' | 'BACKWARDS' | 'TERMINAL';

// Rows: current status; columns: reported status (in MESSAGE_STATUSES order).
const TABLE: Record<MessageStatus, Expected[]> = {
  //           QUEUED        SENDING       SENT          DELIVERED     READ                FAILED        UNDELIVERED
  QUEUED: ['DUPLICATE', 'apply', 'apply', 'apply', 'apply+delivered', 'apply', 'apply'],
  SENDING: ['BACKWARDS', 'DUPLICATE', 'apply', 'apply', 'apply+delivered', 'apply', 'apply'],
  SENT: ['BACKWARDS', 'BACKWARDS', 'DUPLICATE', 'apply', 'apply+delivered', 'apply', 'apply'],
  DELIVERED: ['BACKWARDS', 'BACKWARDS', 'BACKWARDS', 'DUPLICATE', 'apply', 'BACKWARDS', 'BACKWARDS'],
  READ: ['BACKWARDS', 'BACKWARDS', 'BACKWARDS', 'BACKWARDS', 'DUPLICATE', 'BACKWARDS', 'BACKWARDS'],
  FAILED: ['TERMINAL', 'TERMINAL', 'TERMINAL', 'TERMINAL', 'TERMINAL', 'DUPLICATE', 'TERMINAL'],
  UNDELIVERED: ['TERMINAL', 'TERMINAL', 'TERMINAL', 'TERMINAL', 'TERMINAL', 'TERMINAL', 'DUPLICATE'],
};

const PAIRS = MESSAGE_STATUSES.flatMap((current) =>
  MESSAGE_STATUSES.map((next, index) => [current, next, TABLE[current][index]!] as const),
);

describe('status state machine', () => {
  it('covers all 49 pairs', () => {
    expect(PAIRS).toHaveLength(49);
  });

  it.each(PAIRS)('%s then %s → %s', (current, next, expected) => {
    const transition = planTransition(current, next);
    switch (expected) {
      case 'apply':
        expect(transition).toEqual({ kind: 'apply', steps: [{ status: next, implied: false }] });
        break;
      case 'apply+delivered':
        expect(transition).toEqual({
          kind: 'apply',
          steps: [
            { status: 'DELIVERED', implied: true },
            { status: 'READ', implied: false },
          ],
        });
        break;
      default:
        expect(transition).toEqual({ kind: 'ignore', because: expected });
    }
  });

  it('never moves a message backwards, whatever the order of reports', () => {
    const rank = (s: MessageStatus) => ['QUEUED', 'SENDING', 'SENT', 'DELIVERED', 'READ'].indexOf(s);
    // Every permutation of four reports applied to a QUEUED message ends at the most advanced one.
    const reports: MessageStatus[] = ['SENDING', 'SENT', 'DELIVERED', 'READ'];
    const permutations = (items: MessageStatus[]): MessageStatus[][] =>
      items.length <= 1 ? [items] : items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
    for (const order of permutations(reports)) {
      let status: MessageStatus = 'QUEUED';
      for (const report of [...order, ...order]) {
        const transition = planTransition(status, report);
        if (transition.kind === 'apply') {
          const last = transition.steps[transition.steps.length - 1]!.status;
          expect(rank(last)).toBeGreaterThan(rank(status));
          status = last;
        }
      }
      expect(status).toBe('READ');
    }
  });

  it('orders statuses by progress, terminal ones last', () => {
    const shuffled: MessageStatus[] = ['READ', 'FAILED', 'QUEUED', 'DELIVERED', 'SENT', 'SENDING'];
    expect([...shuffled].sort(progressOrder)).toEqual(['QUEUED', 'SENDING', 'SENT', 'DELIVERED', 'READ', 'FAILED']);
  });
});
