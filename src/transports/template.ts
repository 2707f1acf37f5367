import { randomUUID } from 'node:crypto';
import { ToolError } from '../errors.js';

/**
 * Request templating, compiled once so the per-request cost is a few string joins.
 * Placeholders: {{request_id}} (unique per request across threads and runs), {{seq}},
 * {{tenant}} (rotating over the tenant list), {{timestamp_ms}}, {{timestamp}} (ISO), {{uuid}},
 * and {{data.FIELD}} (the field of the request's data row, `--data`).
 */
export type DataRow = Readonly<Record<string, string>>;

export interface TemplateContext {
  seq: number;
  runId: string;
  shard: number;
  tenants: readonly string[];
  /** The data row this request took (`--data`); rows are checked for every field before the run. */
  row?: DataRow | undefined;
}

type Part = string | ((ctx: TemplateContext) => string);

const PLACEHOLDERS: Record<string, (ctx: TemplateContext) => string> = {
  request_id: (c) => `${c.runId}-${c.shard}-${c.seq}`,
  seq: (c) => String(c.seq),
  tenant: (c) => c.tenants[c.seq % c.tenants.length] ?? 'tenant-0',
  timestamp_ms: () => String(Date.now()),
  timestamp: () => new Date().toISOString(),
  uuid: () => randomUUID(),
};

export type Template = ((ctx: TemplateContext) => string) & { constant?: string };

const PLACEHOLDER = /\{\{\s*(data\.[A-Za-z0-9_-]+|[a-z_]+)\s*\}\}/g;
const DATA = 'data.';

/** The data fields ({{data.FIELD}}) a template uses. */
export function dataFields(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(PLACEHOLDER))
    if (m[1]!.startsWith(DATA)) out.add(m[1]!.slice(DATA.length));
  return [...out];
}

export function compileTemplate(text: string, where = 'template'): Template {
  const parts: Part[] = [];
  const re = new RegExp(PLACEHOLDER);
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const name = m[1]!;
    const field = name.startsWith(DATA) ? name.slice(DATA.length) : undefined;
    const fn =
      field !== undefined ? (c: TemplateContext) => c.row?.[field] ?? '' : PLACEHOLDERS[name];
    if (!fn) {
      throw new ToolError(
        'E_SCENARIO_INVALID',
        `${where}: unknown placeholder {{${name}}} (known: ${Object.keys(PLACEHOLDERS).join(', ')}, data.FIELD)`,
      );
    }
    if (m.index > last) parts.push(text.slice(last, m.index));
    parts.push(fn);
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  if (parts.every((p) => typeof p === 'string')) {
    const constant = parts.join('');
    return Object.assign(() => constant, { constant });
  }
  return (ctx) => {
    let s = '';
    for (const p of parts) s += typeof p === 'string' ? p : p(ctx);
    return s;
  };
}
