import { describe, expect, it } from 'vitest';
import { InFlightTable } from '../../src/driver/in-flight.js';
import { OK, Recorder } from '../../src/record/recorder.js';
import { decode } from '../../src/record/histogram.js';
import type { Done, Transport } from '../../src/transports/transport.js';

/** A transport that keeps the callbacks, so the test ends requests when and how it likes. */
class HeldTransport implements Transport {
  readonly held: Done[] = [];
  open(): Promise<void> {
    return Promise.resolve();
  }
  send(_seq: number, done: Done): undefined {
    this.held.push(done);
    return undefined;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

describe('InFlightTable', () => {
  it('takes the send time and an end time given by the transport instead of reading the clock', () => {
    let clock = 1000;
    const recorder = new Recorder(0, 10_000);
    const freed: number[] = [];
    const table = new InFlightTable(recorder, { now: () => clock }, 5000, (t) => freed.push(t));
    const transport = new HeldTransport();
    table.send(transport, 0, 990, 995, 0, undefined, 996);
    table.send(transport, 1, 991, 995); // reads the clock: 1000
    clock = 1100;
    // A flush acknowledging both at one instant (1050), read before the clock moved on.
    transport.held[0]!(OK, 1050);
    transport.held[1]!(OK, 1050);
    expect(freed).toEqual([1050, 1050]);
    expect(table.size).toBe(0);
    const snap = recorder.snapshot();
    const latency = decode(snap.histograms.latency);
    // µs, within HDR's 3-digit buckets: 1050 - 991 and 1050 - 990.
    expect(latency.minNonZeroValue).toBeGreaterThan(58_900);
    expect(latency.minNonZeroValue).toBeLessThanOrEqual(59_000);
    expect(latency.maxValue).toBeGreaterThanOrEqual(59_990);
    expect(latency.maxValue).toBeLessThan(61_000);
    const service = decode(snap.histograms.service_time);
    expect(service.minNonZeroValue).toBeGreaterThanOrEqual(49_950); // 1050 - 1000
    expect(service.minNonZeroValue).toBeLessThan(50_050);
    expect(service.maxValue).toBeGreaterThanOrEqual(53_950); // 1050 - 996
    expect(service.maxValue).toBeLessThan(54_100);
    // The other end: no time given, so the clock (1100).
    table.send(transport, 2, 1090, 1095);
    transport.held[2]!(OK);
    expect(freed.at(-1)).toBe(1100);
  });
});
