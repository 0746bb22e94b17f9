import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Pki {
  caPem: string;
  serverCertPem: string;
  serverKeyPem: string;
  issueClientCert(user: string, groups: string[]): { certPem: string; keyPem: string };
  dispose(): void;
}

// openssl is the only certificate tool available without npm packages; node:crypto cannot sign X.509.
function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

// Subject values end up inside "/CN=..." strings, where "/" and "=" would start a new RDN.
function rdn(value: string): string {
  return value.replace(/[\\/=+,]/g, (c) => `\\${c}`);
}

export function createPki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'kube-api-pki-'));
  const key = (name: string) => openssl(dir, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', name]);
  key('ca.key');
  openssl(dir, ['req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=kube-api-emulator-ca', '-days', '2', '-out', 'ca.crt',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature']);
  let serial = 1;
  const sign = (name: string, subject: string, ext: string) => {
    key(`${name}.key`);
    openssl(dir, ['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`]);
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', String(serial++),
      '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.crt`]);
    return { certPem: readFileSync(join(dir, `${name}.crt`), 'utf8'), keyPem: readFileSync(join(dir, `${name}.key`), 'utf8') };
  };
  const server = sign('server', '/CN=kube-apiserver',
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n');
  const caPem = readFileSync(join(dir, 'ca.crt'), 'utf8');
  return {
    caPem,
    serverCertPem: server.certPem,
    serverKeyPem: server.keyPem,
    issueClientCert(user, groups) {
      const subject = groups.map((g) => `/O=${rdn(g)}`).join('') + `/CN=${rdn(user)}`;
      return sign(`client-${serial}`, subject, 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n');
    },
    dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
