import { randomUUID } from 'node:crypto';
import { ToolError } from '../errors.js';

/**
 * Request templating, compiled once so the per-request cost is a few string joins.
 * Placeholders: {{request_id}} (unique per request across threads and runs), {{seq}},
 * {{tenant}} (rotating over the tenant list), {{timestamp_ms}}, {{timestamp}} (ISO), {{uuid}}.
 */
export interface TemplateContext {
  seq: number;
  runId: string;
  shard: number;
  tenants: readonly string[];
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

export function compileTemplate(text: string, where = 'template'): Template {
  const parts: Part[] = [];
  const re = /\{\{\s*([a-z_]+)\s*\}\}/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const fn = PLACEHOLDERS[m[1]!];
    if (!fn) {
      throw new ToolError(
        'E_SCENARIO_INVALID',
        `${where}: unknown placeholder {{${m[1]}}} (known: ${Object.keys(PLACEHOLDERS).join(', ')})`,
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
