import { maskAddress, normalizeEmail, normalizePhone, normalizeRecipient } from './addresses';

describe('recipient addresses', () => {
  it.each([
    ['SMS', '+447911123456', '+447911123456'],
    ['SMS', '+44 7911 123-456', '+447911123456'],
    ['WHATSAPP', '+5511987654321', '+5511987654321'],
    ['WHATSAPP', 'whatsapp:+14155550123', '+14155550123'],
    ['EMAIL', ' Ann.Smith@Example.COM ', 'ann.smith@example.com'],
  ] as const)('%s accepts %j as %j', (channel, input, expected) => {
    expect(normalizeRecipient(channel, input)).toEqual({ ok: true, address: expected });
  });

  it.each([
    ['SMS', '07911123456'],
    ['SMS', '+4479'],
    ['SMS', '+15550001111'],
    ['SMS', 'ann@example.com'],
    ['WHATSAPP', 'hello'],
    ['EMAIL', '+447911123456'],
    ['EMAIL', 'ann@'],
    ['EMAIL', 'ann@example'],
    ['EMAIL', 'ann smith@example.com'],
    ['EMAIL', 'ann@exa..mple.com'],
  ] as const)('%s refuses %j', (channel, input) => {
    expect(normalizeRecipient(channel, input).ok).toBe(false);
  });

  it('accepts possible but unassigned numbers for our own senders only', () => {
    expect(normalizePhone('+447700900123', false)).toEqual({ ok: true, address: '+447700900123' });
    expect(normalizePhone('+447700900123', true).ok).toBe(false);
  });

  it('remembers results per input and strictness: the same number parsed again is the same answer', () => {
    const possible = normalizePhone('+44 7700 900124', false);
    expect(normalizePhone('+44 7700 900124', false)).toBe(possible);
    // Checked strictly after loosely (and the other way round): each keeps its own answer.
    expect(normalizePhone('+44 7700 900124', true).ok).toBe(false);
    expect(normalizePhone('+44 7700 900124', false)).toEqual({ ok: true, address: '+447700900124' });
    expect(normalizePhone('+14155550100', true)).toEqual({ ok: true, address: '+14155550100' });
  });

  it('lower-cases emails', () => {
    expect(normalizeEmail('Support@Acme.Example')).toEqual({ ok: true, address: 'support@acme.example' });
  });

  it('masks addresses for logs', () => {
    expect(maskAddress('+447911123456')).toBe('+44…56');
    expect(maskAddress('ann@example.com')).toBe('a…@example.com');
    expect(maskAddress(null)).toBe('');
  });
});
