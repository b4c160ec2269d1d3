/**
 * Consent keywords in inbound messages, as carriers and Twilio treat them: the whole message is
 * the keyword (any letter case, surrounding spaces and a trailing `.` or `!` allowed). "Please stop
 * texting me" is a message for a person to read, not an opt-out.
 */

export const OPT_OUT_KEYWORDS = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT'] as const;
export const OPT_IN_KEYWORDS = ['START', 'UNSTOP', 'SUBSCRIBE'] as const;

export interface ConsentKeyword {
  status: 'OPTED_OUT' | 'OPTED_IN';
  /** Upper case, as listed above. */
  keyword: string;
}

const OUT = new Set<string>(OPT_OUT_KEYWORDS);
const IN = new Set<string>(OPT_IN_KEYWORDS);

export function parseConsentKeyword(text: string | null | undefined): ConsentKeyword | null {
  if (!text || text.length > 40) return null;
  const word = text
    .trim()
    .replace(/[.!]+$/u, '')
    .trim()
    .toUpperCase();
  if (OUT.has(word)) return { status: 'OPTED_OUT', keyword: word };
  if (IN.has(word)) return { status: 'OPTED_IN', keyword: word };
  return null;
}
