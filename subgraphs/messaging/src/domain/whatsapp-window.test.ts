import { WHATSAPP_WINDOW_MS, whatsAppWindow } from './whatsapp-window';

const now = new Date('2026-11-21T12:00:00.000Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const HOUR = 3600 * 1000;

describe('WhatsApp 24-hour window', () => {
  it('is closed when the contact never wrote', () => {
    expect(whatsAppWindow(null, now)).toEqual({ open: false, closedAt: null });
  });

  it('is open right after an inbound message and until 24 hours have passed', () => {
    expect(whatsAppWindow(ago(0), now)).toEqual({ open: true, closesAt: new Date(now.getTime() + WHATSAPP_WINDOW_MS) });
    expect(whatsAppWindow(ago(23 * HOUR), now).open).toBe(true);
    expect(whatsAppWindow(ago(WHATSAPP_WINDOW_MS - 1), now).open).toBe(true);
  });

  it('closes exactly 24 hours after the last inbound message', () => {
    expect(whatsAppWindow(ago(WHATSAPP_WINDOW_MS), now)).toEqual({ open: false, closedAt: now });
    expect(whatsAppWindow(ago(25 * HOUR), now)).toEqual({ open: false, closedAt: ago(HOUR) });
  });
});
