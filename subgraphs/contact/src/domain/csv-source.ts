import { Readable } from 'node:stream';
import { parse } from 'csv-parse';

/**
 * Reading an import's CSV. The file arrives as one string (the GraphQL argument); it is scanned
 * once up front — record count, delimiter, an unclosed quote — so problems with the file as a
 * whole are answered before a job starts, then parsed as a stream by csv-parse in 64 KB slices:
 * records are handed out a batch at a time, never all at once.
 */
export interface CsvScan {
  /** Non-empty records, header included. */
  records: number;
  delimiter: ',' | ';' | '\t';
  /** The line where a quoted field opens and never closes, if any. */
  unclosedQuoteLine: number | null;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** Picks the delimiter the header line uses most (comma when none). */
function detectDelimiter(csv: string, start: number): CsvScan['delimiter'] {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let inQuotes = false;
  for (let i = start; i < csv.length; i++) {
    const c = csv[i];
    if (c === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (c === '\n' || c === '\r')) break;
    else if (!inQuotes && (c === ',' || c === ';' || c === '\t')) counts[c]++;
  }
  if (counts[';'] > counts[','] && counts[';'] >= counts['\t']) return ';';
  if (counts['\t'] > counts[',']) return '\t';
  return ',';
}

/** One pass over the text, following the same quoting rules as the parser (relaxed quotes). */
export function scanCsv(csv: string): CsvScan {
  const start = csv.charCodeAt(0) === 0xfeff ? 1 : 0;
  const delimiter = detectDelimiter(csv, start);
  const delimiterCode = delimiter.charCodeAt(0);
  let records = 0;
  let line = 1;
  let inQuotes = false;
  let quoteLine = 0;
  let atFieldStart = true;
  let recordHasContent = false;
  const n = csv.length;
  for (let i = start; i < n; i++) {
    const c = csv.charCodeAt(i);
    if (inQuotes) {
      if (c === QUOTE) {
        if (csv.charCodeAt(i + 1) === QUOTE) i++;
        else inQuotes = false;
      } else if (c === LF || (c === CR && csv.charCodeAt(i + 1) !== LF)) {
        line++;
      }
      continue;
    }
    if (c === LF || c === CR) {
      if (c === CR && csv.charCodeAt(i + 1) === LF) i++;
      line++;
      if (recordHasContent) records++;
      recordHasContent = false;
      atFieldStart = true;
      continue;
    }
    recordHasContent = true;
    if (c === delimiterCode) {
      atFieldStart = true;
    } else if (c === QUOTE && atFieldStart) {
      inQuotes = true;
      quoteLine = line;
      atFieldStart = false;
    } else {
      atFieldStart = false;
    }
  }
  if (recordHasContent) records++;
  return { records, delimiter, unclosedQuoteLine: inQuotes ? quoteLine : null };
}

export interface CsvRecord {
  /** 0 for the header, then 1, 2 … for data rows. */
  index: number;
  /** The line of the file where the record starts (the first line is 1). */
  line: number;
  fields: string[];
}

const SLICE = 64 * 1024;

/** Parser options shared by the header check and the streaming reader. */
export const CSV_OPTIONS = {
  bom: true,
  record_delimiter: ['\r\n', '\n', '\r'],
  relax_column_count: true,
  relax_quotes: true,
  max_record_size: 256 * 1024,
};

function* slices(text: string): Generator<string> {
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + SLICE, text.length);
    // Never split a surrogate pair between two slices.
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    yield text.slice(start, end);
    start = end;
  }
}

/** Line breaks inside a record's quoted fields (CRLF counts once). */
function countLineBreaks(fields: string[]): number {
  let count = 0;
  for (const field of fields) {
    for (let i = 0; i < field.length; i++) {
      const c = field.charCodeAt(i);
      if (c === LF) count++;
      else if (c === CR) {
        count++;
        if (field.charCodeAt(i + 1) === LF) i++;
      }
    }
  }
  return count;
}

/**
 * Streams the records of a CSV text, skipping empty lines. Column counts are not enforced here
 * (a short or long row is the caller's per-row error); quotes inside unquoted fields are taken
 * literally. Line numbers are counted here: every record, empty ones included, spans one line
 * plus the line breaks inside its quoted fields.
 */
export async function* readCsv(csv: string, delimiter: CsvScan['delimiter']): AsyncGenerator<CsvRecord> {
  const parser = Readable.from(slices(csv)).pipe(
    parse({ ...CSV_OPTIONS, delimiter }),
  );
  let index = 0;
  let line = 1;
  try {
    for await (const fields of parser as AsyncIterable<string[]>) {
      const start = line;
      line += 1 + countLineBreaks(fields);
      if (fields.length === 1 && fields[0] === '') continue; // an empty line
      yield { index, line: start, fields };
      index++;
    }
  } finally {
    parser.destroy();
  }
}
