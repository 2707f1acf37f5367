#!/usr/bin/env node
/**
 * A CPU-bound test service for `npm run bench`: one worker process per core (or WORKERS), each
 * request burning a fixed CPU time before a small JSON answer, so its capacity is known
 * (about cores / burn) and is spent on CPU it shares with the generator, as on a CI runner.
 * Usage: node cpu-service.js PORT BURN_MS [WORKERS]; prints {"url"} once every worker listens.
 */
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import { cpus } from 'node:os';

const port = Number(process.argv[2]);
const burnMs = Number(process.argv[3] ?? 0.4);

if (cluster.isPrimary) {
  const n = Number(process.argv[4] ?? cpus().length);
  let listening = 0;
  for (let i = 0; i < n; i++) cluster.fork();
  cluster.on('listening', () => {
    if (++listening === n)
      process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}/` })}\n`);
  });
  const stop = (): void => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const until = performance.now() + burnMs;
      while (performance.now() < until) {
        /* the request's fixed CPU cost */
      }
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    });
  }).listen(port, '127.0.0.1');
}
