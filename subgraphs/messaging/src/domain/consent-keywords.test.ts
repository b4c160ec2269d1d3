import { OPT_IN_KEYWORDS, OPT_OUT_KEYWORDS, parseConsentKeyword } from './consent-keywords';

describe('consent keyword parser', () => {
  it.each(OPT_OUT_KEYWORDS.map((k) => [k]))('%s opts out', (keyword) => {
    expect(parseConsentKeyword(keyword)).toEqual({ status: 'OPTED_OUT', keyword });
  });

  it.each(OPT_IN_KEYWORDS.map((k) => [k]))('%s opts in', (keyword) => {
    expect(parseConsentKeyword(keyword)).toEqual({ status: 'OPTED_IN', keyword });
  });

  it.each([['stop'], ['  Stop  '], ['STOP.'], ['stop!'], ['\nUnsubscribe\n'], ['StopAll']])('recognises %j in any case with spacing and a final stop', (text) => {
    expect(parseConsentKeyword(text)?.status).toBe('OPTED_OUT');
  });

  it('recognises start in any case', () => {
    expect(parseConsentKeyword(' start ')).toEqual({ status: 'OPTED_IN', keyword: 'START' });
  });

  it.each([
    ['Please stop texting me'],
    ['STOP IT'],
    ['stopp'],
    ['unstoppable'],
    ['S T O P'],
    [''],
    ['   '],
    ['Where is my order?'],
  ])('ignores %j', (text) => {
    expect(parseConsentKeyword(text)).toBeNull();
  });

  it('ignores missing text', () => {
    expect(parseConsentKeyword(null)).toBeNull();
    expect(parseConsentKeyword(undefined)).toBeNull();
  });
});
