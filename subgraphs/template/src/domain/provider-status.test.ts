import { DEFAULT_REJECTION_REASON, planProviderStatus } from './provider-status';

const report = (overrides: Partial<Parameters<typeof planProviderStatus>[0]> = {}) =>
  planProviderStatus({ organizationId: '0190f0c0-0000-7000-8000-000000000001', event: 'APPROVED', status: 'APPROVED', reason: null, ...overrides });

describe('planProviderStatus', () => {
  it('applies the review statuses the provider reports', () => {
    expect(report()).toEqual({ kind: 'apply', status: 'APPROVED', reason: null });
    expect(report({ event: 'PAUSED', status: 'PAUSED', reason: ' Low quality ' })).toEqual({ kind: 'apply', status: 'PAUSED', reason: 'Low quality' });
    expect(report({ event: 'DISABLED', status: 'DISABLED' })).toEqual({ kind: 'apply', status: 'DISABLED', reason: null });
  });

  it('gives a rejection without a reason one (the state machine requires it)', () => {
    expect(report({ event: 'REJECTED', status: 'REJECTED', reason: 'INVALID_FORMAT' })).toEqual({ kind: 'apply', status: 'REJECTED', reason: 'INVALID_FORMAT' });
    expect(report({ event: 'REJECTED', status: 'REJECTED', reason: null })).toEqual({ kind: 'apply', status: 'REJECTED', reason: DEFAULT_REJECTION_REASON });
    expect(report({ event: 'REJECTED', status: 'REJECTED', reason: '   ' })).toEqual({ kind: 'apply', status: 'REJECTED', reason: DEFAULT_REJECTION_REASON });
  });

  it('skips events that are no status it sets, and events without an organization', () => {
    expect(report({ event: 'FLAGGED', status: null })).toMatchObject({ kind: 'skip', outcome: 'IGNORED', why: 'WhatsApp event FLAGGED is not a template status' });
    expect(report({ event: 'PENDING', status: 'PENDING' })).toMatchObject({ kind: 'skip', outcome: 'IGNORED' });
    expect(report({ organizationId: null })).toMatchObject({ kind: 'skip', outcome: 'NO_ORGANIZATION' });
  });
});
