/**
 * The certificate and key the drivers' servers present: an ECDSA P-256 self-signed certificate
 * made once per process with the `openssl` command-line tool (a handshake with P-256 costs a
 * fraction of one with RSA), kept in memory as PEM.
 *
 * @category driver
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCert {
  readonly certPem: string;
  readonly keyPem: string;
}

let made: TestCert | undefined;

/** The process's test certificate, made on first use. Throws a one-line error without `openssl`. */
export function testCert(): TestCert {
  if (made !== undefined) return made;
  const dir = mkdtempSync(join(tmpdir(), 'session-oracle-cert-'));
  try {
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-nodes',
          '-subj',
          '/CN=session-oracle test',
          '-days',
          '2',
          '-keyout',
          key,
          '-out',
          cert,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
    } catch (e) {
      const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
      throw new Error(`cannot make the test certificate with the openssl command: ${why}`);
    }
    made = { certPem: readFileSync(cert, 'utf8'), keyPem: readFileSync(key, 'utf8') };
    return made;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
