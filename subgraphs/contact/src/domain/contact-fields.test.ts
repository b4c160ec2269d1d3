import { checkAttributes, checkConsentSource, checkName, checkTags, checkWhatsappId, LIMITS } from './contact-fields';

describe('contact field rules', () => {
  it('trims names and collapses inner whitespace', () => {
    expect(checkName('  Ann \t Lee ')).toEqual({ ok: true, value: 'Ann Lee' });
    expect(checkName('   ')).toMatchObject({ ok: false, problem: { field: 'name', reason: 'REQUIRED' } });
    expect(checkName('x'.repeat(201))).toMatchObject({ ok: false, problem: { reason: 'TOO_LONG' } });
  });

  it('accepts attributes up to 8 KB of JSON and refuses more, naming the field', () => {
    const fits = { notes: 'x'.repeat(LIMITS.attributesBytes - '{"notes":""}'.length) };
    expect(checkAttributes(fits)).toEqual({ ok: true, value: fits });
    const tooBig = { notes: `${fits.notes}x` };
    expect(checkAttributes(tooBig)).toMatchObject({ ok: false, problem: { field: 'attributes', reason: 'TOO_LARGE' } });
    // Bytes, not characters: 3,000 three-byte characters are over the limit.
    expect(checkAttributes({ notes: '€'.repeat(3000) })).toMatchObject({ ok: false, problem: { reason: 'TOO_LARGE' } });
  });

  it('refuses attributes that are not an object', () => {
    for (const value of [[], 'text', 3, null]) {
      expect(checkAttributes(value)).toMatchObject({ ok: false, problem: { field: 'attributes', reason: 'NOT_AN_OBJECT' } });
    }
  });

  it('lower-cases and de-duplicates tags, and bounds them', () => {
    expect(checkTags([' VIP', 'vip', 'Lead', ''])).toEqual({ ok: true, value: ['vip', 'lead'] });
    expect(checkTags(Array.from({ length: 51 }, (_, i) => `t${i}`))).toMatchObject({ ok: false, problem: { reason: 'TOO_MANY' } });
  });

  it('stores WhatsApp ids as international digits', () => {
    expect(checkWhatsappId('+44 20 7946 0000')).toEqual({ ok: true, value: '442079460000' });
    expect(checkWhatsappId('12025550100')).toEqual({ ok: true, value: '12025550100' });
    expect(checkWhatsappId('ann')).toMatchObject({ ok: false, problem: { field: 'whatsappId', reason: 'NOT_A_NUMBER' } });
    expect(checkWhatsappId('123')).toMatchObject({ ok: false, problem: { field: 'whatsappId' } });
  });

  it('defaults the consent source and bounds it', () => {
    expect(checkConsentSource(undefined, 'api')).toEqual({ ok: true, value: 'api' });
    expect(checkConsentSource(' web-form ', 'api')).toEqual({ ok: true, value: 'web-form' });
    expect(checkConsentSource('x'.repeat(101), 'api')).toMatchObject({ ok: false, problem: { reason: 'TOO_LONG' } });
  });
});
