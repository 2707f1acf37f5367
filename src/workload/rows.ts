import { createReadStream } from 'node:fs';
import { ToolError, oneLine } from '../errors.js';
import type { DataRow } from '../transports/template.js';

/**
 * Reads a data file row by row, streamed: CSV (a header row names the fields; csv-parse,
 * the csv project's parser, handles quoting and embedded newlines) or JSONL (one JSON object
 * a line). Values become strings, as templates see them. Small reads keep each burst of
 * parsing short, since the feeder shares its thread with the dispatch loop.
 */
export type DataFormat = 'csv' | 'jsonl';

export function dataFormat(file: string): DataFormat {
  if (/\.csv$/i.test(file)) return 'csv';
  if (/\.(jsonl|ndjson)$/i.test(file)) return 'jsonl';
  throw new ToolError(
    'E_USAGE',
    `--data ${file}: unknown format (name it .csv with a header row, or .jsonl/.ndjson)`,
  );
}

export interface NumberedRow {
  /** 1-based row number (the header row of a CSV file is not a row). */
  n: number;
  row: DataRow;
}

const READ_CHUNK = 16 * 1024;

/**
 * Rows of the file in order; `keep(n)` says which rows to parse at all (JSONL lines of other
 * shares are skipped unparsed). Bad input is a one-line E_INPUT_INVALID naming the row.
 */
export async function* readRows(
  file: string,
  keep: (n: number) => boolean = () => true,
): AsyncGenerator<NumberedRow> {
  const format = dataFormat(file);
  const stream = createReadStream(file, { highWaterMark: READ_CHUNK });
  try {
    // The file is opened before parsing starts, so a missing one is a read error here (a
    // stream's open error would otherwise escape the parser it is piped into).
    await new Promise<void>((resolve, reject) => {
      stream.once('ready', () => resolve());
      stream.once('error', reject);
    });
    if (format === 'csv') yield* csvRows(file, stream, keep);
    else yield* jsonlRows(file, stream, keep);
  } catch (e) {
    if (e instanceof ToolError) throw e;
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR')
      throw new ToolError('E_INPUT_READ', `--data ${file}: ${oneLine(e)}`);
    throw new ToolError('E_INPUT_INVALID', `--data ${file}: ${oneLine(e)}`);
  } finally {
    stream.destroy();
  }
}

async function* csvRows(
  file: string,
  stream: NodeJS.ReadableStream,
  keep: (n: number) => boolean,
): AsyncGenerator<NumberedRow> {
  // Loaded only for CSV data: every run's start-up would pay for it otherwise.
  const { parse: csvParse } = await import('csv-parse');
  const parser = stream.pipe(
    csvParse({ columns: true, bom: true, skip_empty_lines: true, trim: false }),
  );
  stream.on('error', (e) => parser.destroy(e));
  let n = 0;
  for await (const record of parser as AsyncIterable<Record<string, string>>) {
    n++;
    if (keep(n)) yield { n, row: record };
  }
  if (n === 0) throw new ToolError('E_INPUT_INVALID', `--data ${file}: no rows`);
}

async function* jsonlRows(
  file: string,
  stream: NodeJS.ReadableStream,
  keep: (n: number) => boolean,
): AsyncGenerator<NumberedRow> {
  let rest = '';
  let n = 0;
  let line = 0;
  const one = (text: string): NumberedRow | undefined => {
    line++;
    if (!text.trim()) return undefined;
    n++;
    if (!keep(n)) return undefined;
    return { n, row: jsonRow(file, text, n, line) };
  };
  stream.setEncoding('utf8');
  for await (const chunk of stream as AsyncIterable<string>) {
    let text = rest + chunk;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n')) {
      const r = one(text.slice(0, nl));
      text = text.slice(nl + 1);
      if (r) yield r;
    }
    rest = text;
  }
  const last = one(rest);
  if (last) yield last;
  if (n === 0) throw new ToolError('E_INPUT_INVALID', `--data ${file}: no rows`);
}

function jsonRow(file: string, text: string, n: number, line: number): DataRow {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new ToolError('E_INPUT_INVALID', `--data ${file} row ${n} (line ${line}): ${oneLine(e)}`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v))
    throw new ToolError(
      'E_INPUT_INVALID',
      `--data ${file} row ${n} (line ${line}): expected a JSON object`,
    );
  const row: Record<string, string> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (x === null || x === undefined) continue; // null is missing, as in CSV without a value
    row[k] = typeof x === 'object' ? JSON.stringify(x) : String(x as string | number | boolean);
  }
  return row;
}

/**
 * Before the run: every row has every field the templates use, and the file has a row for
 * each share. Streamed like the run itself, so a file of millions of rows is checked in
 * flat memory. Returns the number of rows.
 */
export async function checkDataFile(
  file: string,
  fields: readonly string[],
  shares: number,
): Promise<number> {
  let rows = 0;
  for await (const { n, row } of readRows(file)) {
    rows = n;
    for (const f of fields) {
      if (row[f] === undefined)
        throw new ToolError(
          'E_INPUT_INVALID',
          `--data ${file} row ${n}: no field "${f}" (a template uses {{data.${f}}})`,
        );
    }
  }
  if (rows < shares)
    throw new ToolError(
      'E_INPUT_INVALID',
      `--data ${file}: ${rows} rows for ${shares} generator threads; each thread takes its own rows, so give at least one per thread`,
    );
  return rows;
}
