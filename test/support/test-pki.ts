import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throw-away PKI made with the openssl CLI (EC P-256: fast): a CA, certificates it signs, and
 * files on disk as the gateway reads them. For the transport tests only.
 */
export interface IssuedCert {
  certFile: string;
  keyFile: string;
  cert: Buffer;
  key: Buffer;
  /** `AB:CD:…`, as `openssl x509 -noout -fingerprint -sha256` prints it. */
  sha256: string;
}

export class TestPki {
  readonly dir = mkdtempSync(join(tmpdir(), 'gw-pki-'));

  private openssl(...args: string[]): string {
    return execFileSync('openssl', args, { cwd: this.dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** A self-signed CA certificate. */
  ca(name: string): IssuedCert {
    this.openssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
    return this.read(name);
  }

  /** A certificate signed by `ca`: a server one (with these IP/DNS names) or a client one. */
  issue(name: string, ca: IssuedCert, kind: 'server' | 'client', altNames = 'IP:127.0.0.1,DNS:localhost'): IssuedCert {
    this.openssl(
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${name}`,
    );
    const ext =
      kind === 'server'
        ? `basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=${altNames}\n`
        : 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n';
    writeFileSync(join(this.dir, `${name}.ext`), ext);
    this.openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      ca.certFile,
      '-CAkey',
      ca.keyFile,
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    );
    return this.read(name);
  }

  /** The same key, encrypted with a passphrase (PKCS#8, AES-256). */
  encryptKey(cert: IssuedCert, passphrase: string): string {
    const out = join(this.dir, `${cert.keyFile.replace(/.*\//, '')}.enc`);
    this.openssl(
      'pkcs8',
      '-topk8',
      '-v2',
      'aes-256-cbc',
      '-in',
      cert.keyFile,
      '-out',
      out,
      '-passout',
      `pass:${passphrase}`,
    );
    return out;
  }

  private read(name: string): IssuedCert {
    const certFile = join(this.dir, `${name}.crt`);
    const keyFile = join(this.dir, `${name}.key`);
    const sha256 = this.openssl('x509', '-noout', '-fingerprint', '-sha256', '-in', certFile)
      .trim()
      .replace(/^.*=/, '');
    return { certFile, keyFile, cert: readFileSync(certFile), key: readFileSync(keyFile), sha256 };
  }
}
