import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH, GEN_CORE, ROOT, log, median, pinned, run } from './ramp.js';

/** Messages per stream: several full seconds of consuming at ~300k msg/s. */
const MESSAGES = 600_000;
/**
 * Long enough to drain the stream at the slowest rate seen here: with 8 s, a round at ~70k
 * msg/s on a noisy day ended with 33,589 messages still in the stream.
 */
const DURATION_S = 12;

/**
 * JetStream consume (`--mode consume`) against a raw `consumer.consume()` loop of nats.js
 * on the same server: each drains its own stream of MESSAGES 64-byte messages (filled
 * first), pinned to the generator core, three rounds side by side. The raw loop's rate is
 * messages over its drain time; ours is the median of its full seconds (the result counts
 * per second; the first and last seconds of the drain are partial).
 */
export async function consumeSection(url: string): Promise<Record<string, unknown>> {
  const mod = (p: string): string => JSON.stringify(join(ROOT, 'node_modules', p));
  const prelude = `
    const { connect } = await import(${mod('@nats-io/transport-node/lib/mod.js')});
    const jsmod = await import(${mod('@nats-io/jetstream/lib/mod.js')});
    const nc = await connect({ servers: ${JSON.stringify(url)} });
    const jsm = await jsmod.jetstreamManager(nc);
    const js = jsmod.jetstream(nc);`;
  const fill = async (name: string): Promise<void> => {
    await run(process.execPath, [
      '--input-type=module',
      '-e',
      `${prelude}
      await jsm.streams.add({ name: '${name}', subjects: ['${name}.x'], storage: 'memory' });
      const body = new Uint8Array(64);
      let pend = [];
      for (let i = 0; i < ${MESSAGES}; i++) {
        pend.push(js.publish('${name}.x', body));
        if (pend.length >= 2000) { await Promise.all(pend); pend = []; }
      }
      await Promise.all(pend);
      await nc.close();`,
    ]);
  };
  const drop = (name: string): Promise<unknown> =>
    run(process.execPath, [
      '--input-type=module',
      '-e',
      `${prelude} await jsm.streams.delete('${name}'); await nc.close();`,
    ]);
  const raw: number[] = [];
  const ours: number[] = [];
  for (let round = 1; round <= 3; round++) {
    const a = `CONSUME_RAW_${round}`;
    await fill(a);
    const [c, args] = pinned(GEN_CORE, process.execPath, [
      '--input-type=module',
      '-e',
      `${prelude}
      await jsm.consumers.add('${a}', { durable_name: 'c', ack_policy: jsmod.AckPolicy.None });
      const consumer = await js.consumers.get('${a}', 'c');
      const t0 = performance.now();
      let n = 0;
      await new Promise(async (resolve) => {
        await consumer.consume({ max_messages: 1000, callback: (m) => {
          void m.info.timestampNanos;
          if (++n === ${MESSAGES}) resolve();
        } });
      });
      console.log(${MESSAGES} / ((performance.now() - t0) / 1000));
      process.exit(0);`,
    ]);
    raw.push(Math.round(Number((await run(c, args)).stdout.trim())));
    await drop(a);
    const b = `CONSUME_OURS_${round}`;
    await fill(b);
    const out = join(ROOT, 'reports', `bench-consume-${round}.json`);
    const [c2, args2] = pinned(GEN_CORE, process.execPath, [
      BENCH,
      '--target',
      url,
      '--mode',
      'consume',
      '--stream',
      b,
      '--duration',
      `${DURATION_S}s`,
      '--warmup',
      '0s',
      '--out',
      out,
      '--quiet',
    ]);
    await run(c2, args2);
    const r = JSON.parse(readFileSync(out, 'utf8')) as {
      counters: { ok: number };
      intervals: { ok: number }[];
    };
    const busy = r.intervals.map((i) => i.ok).filter((n) => n > 0);
    const full = busy.length > 2 ? busy.slice(1, -1) : busy;
    ours.push(Math.round(median(full)));
    const counted = r.counters.ok;
    const note =
      counted > MESSAGES
        ? ' COUNTED MORE THAN PUBLISHED'
        : counted < MESSAGES
          ? `; ${MESSAGES - counted} still in the stream when the ${DURATION_S} s run ended`
          : '';
    log(
      `  round ${round}: raw consume() ${raw.at(-1)} msg/s; bench-router --mode consume ${ours.at(-1)} msg/s (${counted} of ${MESSAGES} counted${note}; per second ${busy.join(', ')})`,
    );
    await drop(b);
  }
  const ratio = Math.round((median(ours) / median(raw)) * 1000) / 1000;
  log(
    `consume: raw median ${median(raw)} msg/s, ours median ${median(ours)} msg/s, ratio ${ratio}`,
  );
  return {
    messages: MESSAGES,
    raw_consume_msg_s: raw,
    ours_msg_s: ours,
    ratio_ours_over_raw: ratio,
  };
}
