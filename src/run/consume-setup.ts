import {
  AckPolicy,
  DeliverPolicy,
  jetstreamManager,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { ToolError, oneLine } from '../errors.js';
import type { Scenario } from '../scenario/scenario.js';
import type { NatsConnConfig } from '../transports/nats-config.js';
import { connectNats } from '../transports/nats-connect.js';
import type { ConsumeTarget } from '../transports/nats-consume.js';

/**
 * `--mode consume`: the stream (given, or the one capturing the subject) and the pull
 * consumer every share reads from: the one given, or one made for this run (no acks, so a
 * message is delivered once; deleted afterwards). One consumer for all repeats, so each
 * message is counted once over the whole run.
 */
export async function prepareConsumer(
  n: NonNullable<Scenario['nats']>,
  conn: NatsConnConfig,
  runId: string,
): Promise<{ target: ConsumeTarget; cleanup(): Promise<void> }> {
  const nc = await connectNats(conn);
  let jsm: JetStreamManager | undefined;
  let made: { stream: string; name: string } | undefined;
  const closeAll = async (): Promise<void> => {
    if (made) await jsm?.consumers.delete(made.stream, made.name).catch(() => undefined);
    await nc.close().catch(() => undefined);
  };
  try {
    // Inside the try: a server without JetStream fails here, and is a one-line error.
    jsm = await jetstreamManager(nc);
    const filter = n.subject === '>' ? undefined : n.subject;
    const stream =
      n.stream ??
      (await jsm.streams.find(n.subject).catch(() => {
        throw new ToolError(
          'E_USAGE',
          `--mode consume: no stream captures subject ${n.subject}; give --stream NAME`,
        );
      }));
    if (n.consumer) {
      await jsm.consumers.info(stream, n.consumer);
      return { target: { stream, consumer: n.consumer }, cleanup: closeAll };
    }
    const name = `bench-router-${runId}`;
    await jsm.consumers.add(stream, {
      durable_name: name,
      ack_policy: AckPolicy.None,
      deliver_policy: n.deliver === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
      ...(filter ? { filter_subject: filter } : {}),
      // Gone by itself if this process dies before deleting it.
      inactive_threshold: 60 * 1e9,
    });
    made = { stream, name };
    return { target: { stream, consumer: name }, cleanup: closeAll };
  } catch (e) {
    await closeAll();
    if (e instanceof ToolError) throw e;
    const why = /no responders.*\$JS\.API/i.test(oneLine(e))
      ? 'JetStream is not enabled on this server'
      : oneLine(e);
    throw new ToolError('E_TARGET_UNREACHABLE', `--mode consume: ${why}`);
  }
}
