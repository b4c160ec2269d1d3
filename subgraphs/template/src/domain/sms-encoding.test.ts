import { analyzeSms, gsmSeptets } from './sms-encoding';

describe('analyzeSms', () => {
  it('counts plain ASCII as GSM-7, one septet per character', () => {
    expect(analyzeSms('Hello Ann, your order shipped.')).toEqual({ encoding: 'GSM_7', units: 30, segments: 1, nonGsmCharacters: [] });
  });

  it('accepts every character of the GSM basic table', () => {
    const basic = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCXYZÄÖÑÜ§¿abcxyzäöñüà';
    const result = analyzeSms(basic);
    expect(result.encoding).toBe('GSM_7');
    expect(result.units).toBe(Array.from(basic).length);
  });

  it('counts each extension character as two septets', () => {
    for (const char of ['^', '{', '}', '\\', '[', '~', ']', '|', '€', '\f']) {
      expect(gsmSeptets(char)).toBe(2);
      expect(analyzeSms(`a${char}`)).toMatchObject({ encoding: 'GSM_7', units: 3 });
    }
    expect(analyzeSms('Price: 5€ [promo]')).toMatchObject({ encoding: 'GSM_7', units: 20 });
  });

  it('switches the whole message to UCS-2 for one character outside GSM, counting UTF-16 units', () => {
    const result = analyzeSms('Merci ç');
    expect(result.encoding).toBe('UCS_2');
    expect(result.units).toBe(7);
    expect(result.nonGsmCharacters).toEqual(['ç']);
  });

  it('counts an emoji as two UTF-16 code units and names it', () => {
    const result = analyzeSms('Hi 👋');
    expect(result).toEqual({ encoding: 'UCS_2', units: 5, segments: 1, nonGsmCharacters: ['👋'] });
  });

  it('counts extension characters as one unit once the message is UCS-2', () => {
    expect(analyzeSms('€ 👋')).toMatchObject({ encoding: 'UCS_2', units: 4 });
  });

  it('lists each non-GSM character once, in order', () => {
    expect(analyzeSms('`a` 😀 `b` 😀 ш').nonGsmCharacters).toEqual(['`', '😀', 'ш']);
  });

  it('has no segments for an empty body', () => {
    expect(analyzeSms('')).toMatchObject({ encoding: 'GSM_7', units: 0, segments: 0 });
  });

  describe('GSM-7 segment boundaries (160 single, 153 per part)', () => {
    it.each([
      [1, 1],
      [160, 1],
      [161, 2],
      [306, 2],
      [307, 3],
      [459, 3],
      [460, 4],
    ])('%i characters → %i segments', (length, segments) => {
      expect(analyzeSms('a'.repeat(length))).toMatchObject({ encoding: 'GSM_7', units: length, segments });
    });

    it('counts extension septets towards the 160 limit', () => {
      expect(analyzeSms('a'.repeat(158) + '€')).toMatchObject({ units: 160, segments: 1 });
      expect(analyzeSms('a'.repeat(159) + '€')).toMatchObject({ units: 161, segments: 2 });
    });

    it('never splits an escape sequence across segments', () => {
      // 152 septets then "€" (2): it does not fit in the first 153-septet part.
      const text = 'a'.repeat(152) + '€' + 'a'.repeat(152);
      const result = analyzeSms(text);
      expect(result.units).toBe(306);
      expect(result.segments).toBe(3);
    });
  });

  describe('UCS-2 segment boundaries (70 single, 67 per part)', () => {
    it.each([
      [70, 1],
      [71, 2],
      [134, 2],
      [135, 3],
      [201, 3],
      [202, 4],
    ])('%i UTF-16 units → %i segments', (length, segments) => {
      expect(analyzeSms('ж'.repeat(length))).toMatchObject({ encoding: 'UCS_2', units: length, segments });
    });

    it('counts emoji pairs towards the 70 limit', () => {
      expect(analyzeSms('😀'.repeat(35))).toMatchObject({ units: 70, segments: 1 });
      expect(analyzeSms('😀'.repeat(35) + 'a')).toMatchObject({ units: 71, segments: 2 });
    });

    it('never splits a surrogate pair across segments', () => {
      // 66 units then an emoji (2): the emoji moves to the second part.
      const text = 'ж'.repeat(66) + '😀' + 'ж'.repeat(66);
      expect(analyzeSms(text)).toMatchObject({ units: 134, segments: 3 });
    });
  });
});
