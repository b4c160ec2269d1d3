import { Readable } from 'node:stream';
import { parse } from 'csv-parse';

/**
 * Reading an import's CSV. The file is held as its UTF-8 bytes (a Buffer, outside the JavaScript
 * heap, one byte per ASCII character — never a UTF-16 string for the life of a job): from the
 * upload route as received, from the GraphQL argument encoded once. It is scanned once up front —
 * record count, delimiter, an unclosed quote — so problems with the file as a whole are answered
 * before a job starts, then parsed as a stream by csv-parse in 64 KB slices: records are handed
 * out a batch at a time, never all at once. Quotes, delimiters and line breaks are ASCII, and no
 * byte of a multi-byte UTF-8 character is below 0x80, so scanning bytes finds what scanning
 * characters would.
 */
export interface CsvScan {
  /** Non-empty records, header included. */
  records: number;
  delimiter: ',' | ';' | '\t';
  /** The line where a quoted field opens and never closes, if any. */
  unclosedQuoteLine: number | null;
}

/** A CSV file's content: its UTF-8 bytes, or text (encoded on use). */
export type CsvText = Buffer | string;

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const COMMA = 0x2c;
const SEMICOLON = 0x3b;
const TAB = 0x09;

export function csvBytes(csv: CsvText): Buffer {
  return typeof csv === 'string' ? Buffer.from(csv, 'utf8') : csv;
}

/** Where the content starts: after a UTF-8 byte order mark, if any. */
export function contentStart(bytes: Buffer): number {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
}

/** Picks the delimiter the header line uses most (comma when none). */
function detectDelimiter(bytes: Buffer, start: number): CsvScan['delimiter'] {
  let commas = 0;
  let semicolons = 0;
  let tabs = 0;
  let inQuotes = false;
  for (let i = start; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === QUOTE) inQuotes = !inQuotes;
    else if (!inQuotes && (c === LF || c === CR)) break;
    else if (!inQuotes && c === COMMA) commas++;
    else if (!inQuotes && c === SEMICOLON) semicolons++;
    else if (!inQuotes && c === TAB) tabs++;
  }
  if (semicolons > commas && semicolons >= tabs) return ';';
  if (tabs > commas) return '\t';
  return ',';
}

/** One pass over the bytes, following the same quoting rules as the parser (relaxed quotes). */
export function scanCsv(csv: CsvText): CsvScan {
  const bytes = csvBytes(csv);
  const start = contentStart(bytes);
  const delimiter = detectDelimiter(bytes, start);
  const delimiterCode = delimiter.charCodeAt(0);
  let records = 0;
  let line = 1;
  let inQuotes = false;
  let quoteLine = 0;
  let atFieldStart = true;
  let recordHasContent = false;
  const n = bytes.length;
  for (let i = start; i < n; i++) {
    const c = bytes[i];
    if (inQuotes) {
      if (c === QUOTE) {
        if (bytes[i + 1] === QUOTE) i++;
        else inQuotes = false;
      } else if (c === LF || (c === CR && bytes[i + 1] !== LF)) {
        line++;
      }
      continue;
    }
    if (c === LF || c === CR) {
      if (c === CR && bytes[i + 1] === LF) i++;
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

/**
 * The bytes of the first record that has content (the header): up to the first line break
 * outside quotes after some content.
 */
export function firstRecordBytes(csv: CsvText): Buffer {
  const bytes = csvBytes(csv);
  let inQuotes = false;
  let content = false;
  let end = bytes.length;
  for (let i = contentStart(bytes); i < bytes.length; i++) {
    const c = bytes[i];
    if (c === QUOTE) inQuotes = !inQuotes;
    if (!inQuotes && (c === LF || c === CR)) {
      if (content) {
        end = i;
        break;
      }
    } else {
      content = true;
    }
  }
  return bytes.subarray(0, end);
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

/** 64 KB views of the bytes (no copies); csv-parse keeps a character split between two slices whole. */
function* slices(bytes: Buffer): Generator<Buffer> {
  for (let start = 0; start < bytes.length; start += SLICE) yield bytes.subarray(start, start + SLICE);
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
export async function* readCsv(csv: CsvText, delimiter: CsvScan['delimiter']): AsyncGenerator<CsvRecord> {
  const parser = Readable.from(slices(csvBytes(csv))).pipe(
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
