import { parse } from 'csv-parse/sync';
import { parse as parseStream } from 'csv-parse';
import { Readable } from 'node:stream';
import { CSV_OPTIONS } from '../src/domain/csv-source';

it('cpu', async () => {
  const lines = ['name,phone,email,tags,city'];
  for (let i = 0; i < 20_000; i++) lines.push(`Person ${i},+1202${String(2_000_000 + i).padStart(7, '0')},person${i}@import.io,batch,City ${i % 50}`);
  const csv = lines.join('\n');
  let t = Date.now();
  const all = parse(csv, { ...CSV_OPTIONS, delimiter: ',' });
  const tSync = Date.now() - t;
  t = Date.now();
  const parser = Readable.from([csv]).pipe(parseStream({ ...CSV_OPTIONS, delimiter: ',' }));
  let n = 0;
  await new Promise<void>((resolve, reject) => {
    parser.on('readable', () => { let r; while ((r = parser.read()) !== null) n++; });
    parser.on('end', resolve); parser.on('error', reject);
  });
  const tReadable = Date.now() - t;
  t = Date.now();
  let m = 0;
  for await (const _r of Readable.from([csv]).pipe(parseStream({ ...CSV_OPTIONS, delimiter: ',' }))) m++;
  const tIter = Date.now() - t;
  console.warn({ tSync, tReadable, tIter, n, m, all: all.length });
});
