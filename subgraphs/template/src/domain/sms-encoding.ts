/**
 * SMS encoding and segmentation (3GPP TS 23.038 / 23.040).
 *
 * A message that only uses the GSM 03.38 default alphabet (basic table + extension table) is
 * sent as GSM-7: 160 septets in one SMS, 153 per segment once concatenated (the user data
 * header takes 7). Extension characters (`^ { } \ [ ~ ] | €` and form feed) are an escape + a
 * character: 2 septets, never split across segments. Anything else forces UCS-2 for the whole
 * message: 70 UTF-16 code units in one SMS, 67 per segment; characters outside the BMP (most
 * emoji) are a surrogate pair — 2 units — and are not split either.
 */

export type SmsEncoding = 'GSM_7' | 'UCS_2';

export interface SmsAnalysis {
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
  segments: number;
  /** Characters that forced UCS-2, each once, in order of appearance. */
  nonGsmCharacters: string[];
}

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '\f^{}\\[~]|€';

const basic = new Set(GSM_BASIC);
const extension = new Set(GSM_EXTENSION);

export const SINGLE_SMS_UNITS: Record<SmsEncoding, number> = { GSM_7: 160, UCS_2: 70 };
export const SEGMENT_UNITS: Record<SmsEncoding, number> = { GSM_7: 153, UCS_2: 67 };

/** Septets a character takes in GSM-7, or null when it is not in the GSM alphabet. */
export function gsmSeptets(char: string): 1 | 2 | null {
  if (basic.has(char)) return 1;
  if (extension.has(char)) return 2;
  return null;
}

/** Packs characters of the given sizes into segments of `capacity`, never splitting one. */
function countSegments(sizes: readonly number[], total: number, encoding: SmsEncoding): number {
  if (total === 0) return 0;
  if (total <= SINGLE_SMS_UNITS[encoding]) return 1;
  const capacity = SEGMENT_UNITS[encoding];
  let segments = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > capacity) {
      segments += 1;
      used = 0;
    }
    used += size;
  }
  return segments;
}

export function analyzeSms(text: string): SmsAnalysis {
  const chars = Array.from(text); // code points: a surrogate pair stays together
  const nonGsm: string[] = [];
  const septets: number[] = [];
  for (const char of chars) {
    const size = gsmSeptets(char);
    if (size === null) {
      if (!nonGsm.includes(char)) nonGsm.push(char);
    } else {
      septets.push(size);
    }
  }
  if (nonGsm.length === 0) {
    const units = septets.reduce((sum, n) => sum + n, 0);
    return { encoding: 'GSM_7', units, segments: countSegments(septets, units, 'GSM_7'), nonGsmCharacters: [] };
  }
  const codeUnits = chars.map((char) => char.length);
  const units = text.length; // UTF-16 code units
  return { encoding: 'UCS_2', units, segments: countSegments(codeUnits, units, 'UCS_2'), nonGsmCharacters: nonGsm };
}
