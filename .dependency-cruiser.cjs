/**
 * The layering, checked by `npm run lint` (dependency-cruiser): cli -> run -> report, sweep,
 * result -> agents, driver, transports -> util, record, probes. The pure core never reaches
 * for I/O, a report never depends on a run, nothing depends on a CLI, and there are no cycles.
 * Type-only imports count: a type that crosses a layer pulls the layer's design with it.
 */
const PURE_CORE = '^src/(schedule|record|result|gate|sweep|fault)/';
const IO_LAYERS = '^src/(transports|run|cli|report|agents|probes)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes two modules one: neither can change or be tested alone.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'pure-core-has-no-io',
      severity: 'error',
      comment:
        'The pure core (schedules, recorder math, results, gate rules, sweep, fault analysis) is tested with fake clocks; it must not import an I/O layer.',
      from: { path: PURE_CORE },
      to: { path: IO_LAYERS },
    },
    {
      name: 'report-never-imports-run',
      severity: 'error',
      comment: 'Reports render what a run produced; the types they share live below both.',
      from: { path: '^src/report/' },
      to: { path: '^src/run/' },
    },
    {
      name: 'nothing-imports-cli',
      severity: 'error',
      comment: 'CLI files are thin entry points: parse flags, call a run.',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Packages with an exports map (the NATS clients) resolve as Node resolves them.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
