import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ToolError, oneLine } from '../errors.js';

const run = promisify(execFile);

/**
 * A throwaway CA, a server certificate for 127.0.0.1/localhost and a client certificate,
 * made with openssl (Node can make keys but not X.509 certificates).
 */
export interface CertSet {
  ca: string;
  cert: string;
  key: string;
  clientCert: string;
  clientKey: string;
}

export async function makeCerts(dir: string): Promise<CertSet> {
  await mkdir(dir, { recursive: true });
  const f = (n: string): string => join(dir, n);
  const ssl = async (...args: string[]): Promise<void> => {
    try {
      await run('openssl', args, { cwd: dir, timeout: 30_000 });
    } catch (e) {
      const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
      throw new ToolError(
        'E_TLS_SETUP',
        missing
          ? 'openssl not found: install it (apt-get install -y openssl) to use --tls'
          : `openssl: ${oneLine(e)}`,
      );
    }
  };
  await writeFile(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\n');
  await ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '30',
    '-subj',
    '/CN=bench-router local CA',
  );
  await ssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=localhost',
  );
  await ssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '30',
    '-extfile',
    'ext.cnf',
  );
  await ssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'client.key',
    '-out',
    'client.csr',
    '-subj',
    '/CN=bench-router client',
  );
  await ssl(
    'x509',
    '-req',
    '-in',
    'client.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'client.crt',
    '-days',
    '30',
  );
  return {
    ca: f('ca.crt'),
    cert: f('server.crt'),
    key: f('server.key'),
    clientCert: f('client.crt'),
    clientKey: f('client.key'),
  };
}
