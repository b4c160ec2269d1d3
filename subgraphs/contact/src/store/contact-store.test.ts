import { searchPlan } from './contact-store';

describe('searchPlan', () => {
  it('matches a substring of the name without case or accents', () => {
    expect(searchPlan('  Émile ')).toEqual({ pattern: '%emile%', similar: 'emile' });
  });

  it('reduces phone-like terms to digits, dropping a national trunk 0', () => {
    expect(searchPlan('+1 (202) 555-0100')).toEqual({ pattern: '%12025550100%', similar: null });
    expect(searchPlan('07700 900123')).toEqual({ pattern: '%7700900123%', similar: null });
  });

  it('escapes LIKE wildcards', () => {
    expect(searchPlan('50%_off\\')).toEqual({ pattern: '%50\\%\\_off\\\\%', similar: '50%_off\\' });
  });

  it('offers no similarity search for short or letterless terms', () => {
    expect(searchPlan('jo').similar).toBeNull();
    expect(searchPlan('12').similar).toBeNull();
    expect(searchPlan('12').pattern).toBe('%12%');
  });
});
