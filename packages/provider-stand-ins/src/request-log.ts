import type { Fault } from './behaviour';

/** One request a stand-in received, for assertions (`requests()`) and for the control endpoint. */
export interface RequestLogEntry {
  at: string;
  method: string;
  /** HTTP path, or the SMTP step (`MAIL FROM`, `RCPT TO`, `DATA`, `AUTH`). */
  path: string;
  recipient?: string;
  /** HTTP status or SMTP reply code; undefined when the stand-in never answered (injected timeout). */
  status?: number;
  /** The provider's error code when the request failed (e.g. 20003, 130429). */
  code?: number;
  /** The injected fault, when a rule answered this request. */
  fault?: Fault['type'];
  delayMs?: number;
  /** Form parameters (Twilio) or JSON body (WhatsApp) as received. */
  params?: unknown;
  /** Id of what was created: Twilio message sid, WhatsApp message id, stored mail id. */
  resourceId?: string;
}

export class RequestLog {
  private entries: RequestLogEntry[] = [];

  constructor(private readonly limit = 10_000) {}

  record(entry: Omit<RequestLogEntry, 'at'>): RequestLogEntry {
    const recorded = { at: new Date().toISOString(), ...entry };
    this.entries.push(recorded);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    return recorded;
  }

  list(): RequestLogEntry[] {
    return [...this.entries];
  }

  clear(): void {
    this.entries = [];
  }
}
