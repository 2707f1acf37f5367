import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_DIR } from './code-dir.js';

/** The package's own name and version, for results' provenance. */
export function toolInfo(name: string): { name: string; version: string } {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as {
    version: string;
  };
  return { name, version: pkg.version };
}
