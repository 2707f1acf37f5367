import { mkdir, open, rename, rm, access, constants } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ToolError } from '../errors.js';

/**
 * Writes via a temp file in the same directory and renames it over the target, so a reader
 * (or a crash) never sees a half-written baseline or report.
 */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new ToolError('E_OUTPUT_UNWRITABLE', `cannot write ${path}: ${errnoText(e)}`);
  }
}

/** Checks before a run that an output path can be written, so a long run is not wasted. */
export async function assertWritable(path: string): Promise<void> {
  const dir = dirname(path);
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (e) {
    throw new ToolError('E_OUTPUT_UNWRITABLE', `cannot write ${path}: ${errnoText(e)}`);
  }
  try {
    await access(path, constants.F_OK);
  } catch {
    return; // does not exist yet: the directory check is enough
  }
  try {
    await access(path, constants.W_OK);
  } catch (e) {
    throw new ToolError('E_OUTPUT_UNWRITABLE', `cannot write ${path}: ${errnoText(e)}`);
  }
}

function errnoText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'EACCES' || err?.code === 'EPERM') return 'permission denied';
  if (err?.code === 'ENOTDIR') return 'a parent path is not a directory';
  if (err?.code === 'EISDIR') return 'it is a directory';
  if (err?.code === 'EROFS') return 'read-only file system';
  return err?.message ?? String(e);
}
