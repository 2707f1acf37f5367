import { describe, expect, it } from 'vitest';
import { resolveScenario } from '../../src/scenario/resolve.js';

const base = { target: 'builtin', rate: 100 };

describe('scenario: agents', () => {
  it('reads a fleet from the scenario file, credentials from the URL and the environment', async () => {
    process.env.TEST_BUS_TOKEN = 'tok-123';
    const s = await resolveScenario(
      { ...base, agents: { count: 'all', nats: 'nats://bench:pw@127.0.0.1:4222', wait: '3s' } },
      {},
    );
    expect(s.agents).toEqual({
      count: 'all',
      bus: { servers: ['nats://127.0.0.1:4222'], auth: { user: 'bench', pass: 'pw' } },
      local: false,
      discoverMs: 3000,
    });
    const t = await resolveScenario(
      { ...base, agents: { count: 2, nats: 'nats://127.0.0.1:4222' } },
      { agents: { count: 3, token_env: 'TEST_BUS_TOKEN' } },
    );
    expect(t.agents?.count).toBe(3); // the flag wins
    expect(t.agents?.bus?.auth).toEqual({ token: 'tok-123' });
  });

  it('local mode needs no bus and refuses one', async () => {
    const s = await resolveScenario({ ...base, agents: { local: 2 } }, {});
    expect(s.agents).toMatchObject({ count: 2, local: true, bus: undefined });
    await expect(
      resolveScenario({ ...base, agents: { local: 2, nats: 'nats://127.0.0.1:4222' } }, {}),
    ).rejects.toThrow(/--local-agents starts its own NATS server/);
    await expect(resolveScenario({ ...base, agents: { local: 2, count: 3 } }, {})).rejects.toThrow(
      /disagree/,
    );
  });

  it('a fleet without a bus, or a bus without a fleet, is a usage error', async () => {
    await expect(resolveScenario({ ...base, agents: { count: 2 } }, {})).rejects.toThrow(
      /--agents needs --nats URL/,
    );
    await expect(
      resolveScenario({ ...base, agents: { nats: 'nats://127.0.0.1:4222' } }, {}),
    ).rejects.toThrow(/--nats goes with --agents/);
    expect((await resolveScenario(base, {})).agents).toBe(undefined);
  });
});
