/**
 * Self-contained HTML reports, one module each (run, gate, capacity) over a shared page
 * (`html-page`: uPlot inlined, charts registered for browser tests).
 */
export { runHtml } from './html-run.js';
export { gateHtml } from './html-gate.js';
export { capacityHtml } from './html-capacity.js';
