import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder the running code lives in (`dist/`, or `src/` under the test runner), and the
 * package's folder above it. Every module that finds one of the package's files by path
 * goes through here rather than through its own `import.meta.url`: in the bundled build a
 * module's code sits in a shared chunk (`dist/chunks/`), not where its source is, but every
 * output file is one level below `dist/`, as this module's source is below `src/`.
 */
export const CODE_DIR = fileURLToPath(new URL('..', import.meta.url));
export const PACKAGE_DIR = join(CODE_DIR, '..');

/** A file of the built code (`dist/...`), also when the caller runs from the sources. */
export function builtFile(...parts: string[]): string {
  return join(PACKAGE_DIR, 'dist', ...parts);
}
