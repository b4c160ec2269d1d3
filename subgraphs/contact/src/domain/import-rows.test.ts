import { checkImportRow, csvRecordToRaw, jsonRowToRaw, readCsvHeader, type CsvHeader } from './import-rows';

function header(fields: string[]): CsvHeader {
  const result = readCsvHeader(fields);
  if (!result.ok) throw new Error(result.message);
  return result.header;
}

function checkCsv(headerFields: string[], fields: string[], country?: 'GB' | 'US') {
  const raw = csvRecordToRaw(header(headerFields), fields);
  if (!raw.ok) return raw;
  return checkImportRow(raw.value, { row: 1, line: 2 }, country);
}

describe('readCsvHeader', () => {
  it('recognises columns in any case and spelling, and keeps others as attributes', () => {
    const result = header(['Full Name', 'Phone Number', 'E-mail', 'WhatsApp ID', 'Tags', 'Favorite', 'SMS consent', 'Company']);
    expect(result.columns).toEqual([
      { kind: 'known', column: 'name' },
      { kind: 'known', column: 'phone' },
      { kind: 'known', column: 'email' },
      { kind: 'known', column: 'whatsappId' },
      { kind: 'known', column: 'tags' },
      { kind: 'known', column: 'favourite' },
      { kind: 'known', column: 'smsConsent' },
      { kind: 'attribute', key: 'Company' },
    ]);
  });

  it.each([
    [['phone', 'email'], /missing required columns: name/],
    [['name', 'company'], /missing required columns: phone, email or whatsapp id/],
    [['company'], /name \(or first name \/ last name\); phone, email or whatsapp id/],
    [['name', 'phone', ''], /Column 3 of the header has no name/],
    [['name', 'phone', 'Phone'], /the column "Phone" twice/],
  ])('refuses %j', (fields, message) => {
    const result = readCsvHeader(fields);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(message);
  });

  it('accepts first and last name instead of name', () => {
    expect(readCsvHeader(['First name', 'Last name', 'email']).ok).toBe(true);
  });
});

describe('CSV row checks', () => {
  const columns = ['name', 'phone', 'email', 'tags', 'favourite', 'sms consent', 'company'];

  it('normalises a good row', () => {
    expect(checkCsv(columns, [' Ann  Lee ', '020 7946 0000', 'Ann@Example.com', 'VIP; lead|vip', 'yes', 'opted in', 'Acme'], 'GB')).toEqual({
      ok: true,
      value: {
        row: 1,
        line: 2,
        name: 'Ann Lee',
        phone: '+442079460000',
        email: 'ann@example.com',
        whatsappId: null,
        tags: ['vip', 'lead'],
        favourite: true,
        attributes: { company: 'Acme' },
        consent: { SMS: 'OPTED_IN' },
      },
    });
  });

  it('leaves out empty cells (an update keeps what the contact has)', () => {
    const result = checkCsv(columns, ['Ann', '', 'ann@example.com', '', '', '', '']);
    expect(result).toMatchObject({ ok: true, value: { phone: null, tags: null, favourite: null, attributes: null, consent: {} } });
  });

  it.each([
    [['Ann', '123', '', '', '', '', ''], 'phone', 'TOO_SHORT'],
    [['Ann', '020 7946 0000', '', '', '', '', ''], 'phone', 'INVALID_COUNTRY'],
    [['Ann', '', 'not-an-email', '', '', '', ''], 'email', 'INVALID_EMAIL'],
    [['', '+442079460000', '', '', '', '', ''], 'name', 'REQUIRED'],
    [['Ann', '', '', 'vip', '', '', ''], 'phone', 'REQUIRED'],
    [['Ann', '+442079460000', '', '', 'maybe', '', ''], 'favourite', 'INVALID_BOOLEAN'],
    [['Ann', '+442079460000', '', '', '', 'sure', ''], 'smsConsent', 'INVALID_CONSENT'],
    [['Ann', '+442079460000', '', 'x'.repeat(51), '', '', ''], 'tags', 'TOO_LONG'],
  ])('refuses %j on %s (%s)', (fields, field, reason) => {
    expect(checkCsv(columns, fields, field === 'phone' && fields[1] === '123' ? 'GB' : undefined)).toEqual({ ok: false, problem: expect.objectContaining({ field, reason }) });
  });

  it('refuses a row with the wrong number of columns', () => {
    expect(checkCsv(['name', 'phone'], ['Ann'])).toEqual({
      ok: false,
      problem: { field: 'csv', reason: 'COLUMN_COUNT', message: 'Row has 1 columns; the header has 2' },
    });
  });

  it('builds the name from first and last name', () => {
    expect(checkCsv(['first name', 'last name', 'email'], ['Ann', 'Lee', 'ann@example.com'])).toMatchObject({
      ok: true,
      value: { name: 'Ann Lee' },
    });
  });

  it('refuses attributes over 8 KB', () => {
    expect(checkCsv(['name', 'email', 'notes'], ['Ann', 'ann@example.com', 'x'.repeat(9000)])).toEqual({
      ok: false,
      problem: expect.objectContaining({ field: 'attributes', reason: 'TOO_LARGE' }),
    });
  });
});

describe('JSON row checks', () => {
  const check = (value: unknown) => {
    const raw = jsonRowToRaw(value);
    return raw.ok ? checkImportRow(raw.value, { row: 7, line: null }, 'US') : raw;
  };

  it('takes CreateContactInput keys, tags as a list and consent as a map', () => {
    expect(
      check({ name: 'Bob', phone: '(202) 555-0100', tags: ['A'], attributes: { plan: 'pro' }, favourite: false, consent: { WHATSAPP: 'OPTED_OUT' } }),
    ).toMatchObject({
      ok: true,
      value: { row: 7, phone: '+12025550100', tags: ['a'], attributes: { plan: 'pro' }, favourite: false, consent: { WHATSAPP: 'OPTED_OUT' } },
    });
  });

  it.each([
    ['a string', 'row', 'NOT_AN_OBJECT'],
    [{ name: 'Bob', phnoe: '+12025550100' }, 'phnoe', 'UNKNOWN_FIELD'],
    [{ name: 'Bob', phone: 12 }, 'phone', 'TOO_SHORT'],
    [{ name: 'Bob', phone: true }, 'phone', 'INVALID_TYPE'],
    [{ name: 'Bob', email: 'b@example.com', attributes: [1] }, 'attributes', 'NOT_AN_OBJECT'],
    [{ name: 'Bob', email: 'b@example.com', consent: { FAX: 'OPTED_IN' } }, 'consent', 'INVALID_CHANNEL'],
  ])('refuses %j on %s (%s)', (value, field, reason) => {
    expect(check(value)).toEqual({ ok: false, problem: expect.objectContaining({ field, reason }) });
  });
});
