import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The package's own name and version, for results' provenance. */
export function toolInfo(name: string): { name: string; version: string } {
  const pkg = JSON.parse(
    readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8'),
  ) as {
    version: string;
  };
  return { name, version: pkg.version };
}
