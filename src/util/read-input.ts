import { readFile } from 'node:fs/promises';
import { ToolError, oneLine, type ErrorCode } from '../errors.js';

/**
 * Reads a user-supplied file as text; a missing or unreadable file is bad input with one
 * line naming it (`what path: file not found`).
 */
export async function readInputText(
  path: string,
  what: string,
  code: ErrorCode = 'E_INPUT_READ',
): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const errno = (e as NodeJS.ErrnoException).code;
    throw new ToolError(
      code,
      `${what} ${path}: ${errno === 'ENOENT' ? 'file not found' : oneLine(e)}`,
    );
  }
}
