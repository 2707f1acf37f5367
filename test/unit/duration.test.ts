import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/util/duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1.5s', 1500],
    ['250us', 0.25],
  ])('%s -> %d ms', (input, ms) => expect(parseDuration(input)).toBe(ms));

  it('reads bare numbers (scenario files) as seconds', () => expect(parseDuration(3)).toBe(3000));

  it.each(['10', 'ten seconds', '5 s', '-1s', '1d', ''])(
    'rejects %j with a one-line error',
    (bad) => {
      expect(() => parseDuration(bad, 'duration')).toThrowError(/duration: .* is not a duration/);
    },
  );

  it('round-trips through formatDuration', () => {
    for (const ms of [0.5, 4, 1000, 90_000, 120_000])
      expect(parseDuration(formatDuration(ms))).toBe(ms);
  });
});
