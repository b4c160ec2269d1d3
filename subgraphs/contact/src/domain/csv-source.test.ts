import { readCsv, scanCsv, type CsvRecord } from './csv-source';

async function records(csv: string): Promise<CsvRecord[]> {
  const all: CsvRecord[] = [];
  for await (const record of readCsv(csv, scanCsv(csv).delimiter)) all.push(record);
  return all;
}

describe('scanCsv', () => {
  it('counts records, skipping empty lines, with any line ending', () => {
    expect(scanCsv('name,phone\nAnn,1\n\nBob,2\n').records).toBe(3);
    expect(scanCsv('name,phone\r\nAnn,1\r\n\r\nBob,2').records).toBe(3);
    expect(scanCsv('name,phone\rAnn,1\rBob,2\r').records).toBe(3);
    expect(scanCsv('').records).toBe(0);
    expect(scanCsv('\n\n').records).toBe(0);
  });

  it('does not count line breaks inside quoted fields', () => {
    const scan = scanCsv('name,notes\n"Ann","line 1\nline 2\r\nline 3"\nBob,"say ""hi"""\n');
    expect(scan).toEqual({ records: 3, delimiter: ',', unclosedQuoteLine: null });
  });

  it('finds a quote that never closes, with the line it opens on', () => {
    expect(scanCsv('name,phone\nAnn,1\n"Bob,2\nCid,3\n').unclosedQuoteLine).toBe(3);
    expect(scanCsv('name,phone\nAnn,"1\n').unclosedQuoteLine).toBe(2);
  });

  it('takes quotes inside unquoted fields literally, like the parser', () => {
    expect(scanCsv('name,phone\nAnn "the boss" Lee,1\n')).toMatchObject({ records: 2, unclosedQuoteLine: null });
  });

  it('detects semicolon and tab delimited files from the header', () => {
    expect(scanCsv('name;phone;email\nAnn;1;a@x.io').delimiter).toBe(';');
    expect(scanCsv('name\tphone\nAnn\t1').delimiter).toBe('\t');
    expect(scanCsv('name,phone\nAnn;x,1').delimiter).toBe(',');
    expect(scanCsv('\uFEFFname,phone\n').delimiter).toBe(',');
  });
});

describe('readCsv', () => {
  it('streams records with their index and starting line', async () => {
    const result = await records('name,phone\n\nAnn,"+44\n20"\nBob,2\r\n\r\nCid,3');
    expect(result).toEqual([
      { index: 0, line: 1, fields: ['name', 'phone'] },
      { index: 1, line: 3, fields: ['Ann', '+44\n20'] },
      { index: 2, line: 5, fields: ['Bob', '2'] },
      { index: 3, line: 7, fields: ['Cid', '3'] },
    ]);
  });

  it('keeps rows of the wrong width for the caller to report', async () => {
    const result = await records('name,phone\nAnn\nBob,2,extra\n');
    expect(result.map((record) => record.fields.length)).toEqual([2, 1, 3]);
  });

  it('strips a byte order mark and reads semicolons', async () => {
    const result = await records('\uFEFFname;phone\nAnn;1\n');
    expect(result[0]!.fields).toEqual(['name', 'phone']);
    expect(result[1]!.fields).toEqual(['Ann', '1']);
  });

  it('reads a file larger than one slice without losing or splitting rows (astral characters included)', async () => {
    const lines = ['name,phone'];
    for (let i = 0; i < 20_000; i++) lines.push(`Person 😀 ${i},${i}`);
    const result = await records(lines.join('\n'));
    expect(result).toHaveLength(20_001);
    expect(result[12_345]!.fields).toEqual(['Person 😀 12344', '12344']);
    expect(result[20_000]!.line).toBe(20_001);
  });

  it('keeps a multi-byte character that straddles two 64 KB slices of the bytes whole', async () => {
    let text = 'name,phone\n';
    while (Buffer.byteLength(text) < 65_000) text += 'Ann,1\n';
    // Pad so that "é" (2 bytes) and "😀" (4 bytes) start one byte before a slice boundary.
    text += `${'a'.repeat(65_535 - Buffer.byteLength(text))}é,2\n`;
    text += `${'b'.repeat(2 * 65_536 - 1 - Buffer.byteLength(text))}😀,3\n`;
    const bytes = Buffer.from(text);
    expect(bytes[65_535]).toBe(0xc3); // the first byte of "é"
    expect(bytes[2 * 65_536 - 1]).toBe(0xf0); // the first byte of "😀"
    const result = await records(text);
    expect(result.at(-2)!.fields[0]).toMatch(/^a+é$/);
    expect(result.at(-1)!.fields[0]).toMatch(/^b+😀$/);
  });
});
