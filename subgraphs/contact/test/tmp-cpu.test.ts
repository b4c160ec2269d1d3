import { scanCsv, readCsv } from '../src/domain/csv-source';
import { checkImportRow, csvRecordToRaw, readCsvHeader } from '../src/domain/import-rows';

it('cpu', async () => {
  const lines = ['name,phone,email,tags,city'];
  for (let i = 0; i < 20_000; i++) lines.push(`Person ${i},+1202${String(2_000_000 + i).padStart(7, '0')},person${i}@import.io,batch,City ${i % 50}`);
  const csv = lines.join('\n');
  let t = Date.now();
  const scan = scanCsv(csv);
  const tScan = Date.now() - t;
  t = Date.now();
  const records: string[][] = [];
  for await (const r of readCsv(csv, scan.delimiter)) records.push(r.fields);
  const tParse = Date.now() - t;
  const header = readCsvHeader(records[0]!);
  if (!header.ok) throw new Error();
  t = Date.now();
  for (let i = 1; i < records.length; i++) {
    const raw = csvRecordToRaw(header.header, records[i]!);
    if (raw.ok) checkImportRow(raw.value, { row: i, line: i }, undefined);
  }
  const tCheck = Date.now() - t;
  console.warn({ tScan, tParse, tCheck });
});
