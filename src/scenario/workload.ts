import { resolve as resolvePath } from 'node:path';
import { ToolError } from '../errors.js';
import { dataFields } from '../transports/template.js';
import { dataFormat } from '../workload/rows.js';
import { readInputText } from '../util/read-input.js';
import type {
  RequestKind,
  RequestKindFields,
  Scenario,
  ScenarioFile,
  ScenarioOverrides,
} from './scenario.js';

/** The workload's part of a scenario: the request mix, the data feeder, consume mode. */
/**
 * The mix's kinds for the run's transport: fields of the other transport are refused (a
 * typo would otherwise send the wrong request), names are unique (they key the results).
 */
export async function requestKinds(
  ks: RequestKindFields[],
  transport: 'http' | 'nats',
  subject: string,
): Promise<RequestKind[]> {
  const seen = new Set<string>();
  const out: RequestKind[] = [];
  for (const [i, k] of ks.entries()) {
    const where = `requests[${i}] (${k.name})`;
    if (seen.has(k.name)) throw new ToolError('E_USAGE', `${where}: the name is used twice`);
    seen.add(k.name);
    const foreign =
      transport === 'http'
        ? (['subject', 'payload', 'payload_file'] as const)
        : (['method', 'path', 'body', 'body_file'] as const);
    const bad = foreign.find((f) => k[f] !== undefined);
    if (bad)
      throw new ToolError('E_USAGE', `${where}: "${bad}" does not apply to ${transport} requests`);
    const text = k.body ?? k.payload;
    const file = k.body_file ?? k.payload_file;
    if (text !== undefined && file !== undefined)
      throw new ToolError('E_USAGE', `${where}: give the body inline or as a file, not both`);
    const body = file !== undefined ? await readInputText(file, 'body file') : text;
    out.push({
      name: k.name,
      weight: k.weight ?? 1,
      method: (k.method ?? (body !== undefined ? 'POST' : 'GET')).toUpperCase(),
      path: k.path ?? '',
      subject: k.subject ?? subject,
      headers: k.headers ?? {},
      body,
    });
  }
  return out;
}

export function refuseForConsume(m: ScenarioOverrides): void {
  if (!/^(nats|tls):\/\//i.test(m.target ?? ''))
    throw new ToolError(
      'E_USAGE',
      '--mode consume reads a JetStream stream: give a nats:// target',
    );
  const given = (
    [
      ['--rate', m.rate],
      ['--stages', m.stages],
      ['--concurrency', m.concurrency],
      ['requests', m.requests],
      ['--data', m.data],
      ['--e2e', m.e2e],
    ] as const
  ).find(([, v]) => v !== undefined && v !== false);
  if (given)
    throw new ToolError(
      'E_USAGE',
      `${given[0]} does not go with --mode consume: it reads what the stream delivers, as fast as it can`,
    );
}

/** Every {{data.FIELD}} the run's templates use: each row must have them all. */
export function dataFieldsOf(s: {
  url: string;
  body: string | undefined;
  headers: Record<string, string>;
  requests: RequestKind[] | undefined;
}): string[] {
  const texts = [s.url, s.body ?? '', ...Object.values(s.headers)];
  for (const k of s.requests ?? [])
    texts.push(k.path, k.subject, k.body ?? '', ...Object.values(k.headers));
  return [...new Set(texts.flatMap(dataFields))];
}

export function dataOf(d: ScenarioFile['data'] | undefined): Scenario['workload']['data'] {
  if (!d) return undefined;
  if (!d.file) throw new ToolError('E_USAGE', '--data-order/--data-on-end go with --data FILE');
  dataFormat(d.file); // a one-line error now for a name it cannot read
  return { file: resolvePath(d.file), order: d.order ?? 'sequential', onEnd: d.on_end ?? 'wrap' };
}
