// Bundles the command-line entry points (and the generator's worker thread) over tsc's
// output, run by `npm run build` last. Node resolves and loads ~150 ES modules one by one at
// every start (~0.1 s of CPU here, before a single request goes out); one bundle per entry
// plus shared chunks loads in a fraction of that. Dependencies stay in node_modules
// (`packages: 'external'`): they resolve as they always do, and what a run imports only
// when used (undici, the NATS clients, reports) stays in chunks of its own, loaded then.
// Every output sits one level below dist/ (dist/cli, dist/driver, dist/chunks), which is
// what src/util/code-dir.ts relies on to find the package's files.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names carry a content hash: clear the last build's, or they pile up.
rmSync('dist/chunks', { recursive: true, force: true });

await build({
  entryPoints: [
    'src/cli/bench-router.ts',
    'src/cli/perf-gate.ts',
    'src/cli/capacity-sweep.ts',
    'src/cli/builtin-router.ts',
    'src/driver/worker.ts',
  ],
  outbase: 'src',
  outdir: 'dist',
  entryNames: '[dir]/[name]',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  allowOverwrite: true,
  logLevel: 'warning',
});
