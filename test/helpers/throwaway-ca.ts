import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/*
 * A certificate authority made for one test run with the openssl CLI, and a server certificate it signs, by default
 * for the loopback address only (IP:127.0.0.1, no DNS names), so a client that checks the server's identity is tested too.
 * Validity starts now and lasts a day: the tests pass on any date.
 */

export interface ThrowawayCa {
  /** The CA certificate (PEM), what a client is given to trust. */
  caFile: string;
  caPem: string;
  /** The server certificate and its unencrypted key, for the server under test. */
  certFile: string;
  keyFile: string;
}

const openssl = (cwd: string, args: string[]) => execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });

/** `subjectAltName`: what the server certificate names (default: the loopback address only). */
export function throwawayCa(dir: string, name: string, subjectAltName = 'IP:127.0.0.1'): ThrowawayCa {
  const file = (suffix: string) => path.join(dir, `${name}-${suffix}`);
  const subject = `/O=Firebreak tests/CN=${name} throwaway CA`;
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '1', '-subj', subject, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', `/O=Firebreak tests/CN=${name} server`]);
  writeFileSync(file('server.ext'), `subjectAltName=${subjectAltName}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n`);
  openssl(dir, ['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('server.pem'), '-days', '1', '-extfile', file('server.ext')]);
  return { caFile: file('ca.pem'), caPem: readFileSync(file('ca.pem'), 'utf8'), certFile: file('server.pem'), keyFile: file('server.key') };
}
