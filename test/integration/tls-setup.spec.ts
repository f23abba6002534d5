import { connect, createServer, type Server, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { ServerTlsConfig } from '../../src/platform/config/gateway-config';
import { tlsServerOptions, TlsSetupError } from '../../src/platform/web/tls';
import { TestPki } from '../support/test-pki';

/** What the gateway says at start about server.tls: each wrong file named, with what to do. */
describe('server.tls at start-up (tlsServerOptions)', () => {
  const pki = new TestPki();
  const ca = pki.ca('hospital-ca');
  const server = pki.issue('gateway', ca, 'server');
  const other = pki.issue('other', ca, 'server');
  const his = pki.issue('his', ca, 'client');
  const encrypted = pki.encryptKey(server, 's3cret pass');

  const tls = (over: Partial<ServerTlsConfig> = {}): ServerTlsConfig => ({
    certFile: server.certFile,
    keyFile: server.keyFile,
    passphrase: '',
    caFile: '',
    clientCertificates: 'off',
    clientCertBindings: [],
    ...over,
  });
  const failure = (over: Partial<ServerTlsConfig>): string => {
    try {
      tlsServerOptions(tls(over));
    } catch (e) {
      expect(e).toBeInstanceOf(TlsSetupError);
      return (e as Error).message;
    }
    throw new Error('expected a TlsSetupError');
  };

  it('is off (plain HTTP) with an empty certFile', () => {
    expect(tlsServerOptions(tls({ certFile: '', keyFile: '' }))).toBeUndefined();
  });

  it('reads a good pair: TLS 1.2 at least, AEAD suites only, no client certificates asked for', () => {
    const setup = tlsServerOptions(tls())!;
    expect(setup.options.minVersion).toBe('TLSv1.2');
    expect(setup.options.ciphers).not.toMatch(/CBC|RC4|3DES|SHA1?(:|$)/);
    expect(setup.options.requestCert).toBeUndefined();
  });

  it.each([
    [
      { certFile: '/nowhere/gateway.crt' },
      /server\.tls\.certFile: cannot read \/nowhere\/gateway\.crt \(no such file\)/,
    ],
    [{ keyFile: '/nowhere/gateway.key' }, /server\.tls\.keyFile: cannot read \/nowhere\/gateway\.key \(no such file\)/],
    [{ keyFile: '' }, /server\.tls\.keyFile is empty/],
    [
      { certFile: '', keyFile: '', clientCertificates: 'required' as const },
      /certFile is empty .*clientCertificates \(required\) is set/,
    ],
    [{ clientCertificates: 'optional' as const }, /clientCertificates is optional but server\.tls\.caFile is empty/],
    [{ clientCertBindings: [{ keyId: 'aaaaaaaaaaa1', sha256: 'AB'.repeat(32) }] }, /clientCertificates is off/],
  ])('refuses %j', (over, message) => {
    expect(failure(over)).toMatch(message);
  });

  it('names both files when the key is not the certificate’s', () => {
    expect(failure({ keyFile: other.keyFile })).toMatch(
      new RegExp(`keyFile ${other.keyFile} is not the private key of the certificate in server.tls.certFile`),
    );
  });

  it('says a key file is no certificate, and a certificate no key', () => {
    expect(failure({ certFile: server.keyFile })).toMatch(/holds no PEM certificate/);
    expect(failure({ keyFile: server.certFile })).toMatch(/holds no readable PEM private key/);
  });

  it('asks for the passphrase of an encrypted key, and says when it is wrong', () => {
    expect(failure({ keyFile: encrypted })).toMatch(/is encrypted: set its passphrase in server\.tls\.passphrase/);
    expect(failure({ keyFile: encrypted, passphrase: 'wrong' })).toMatch(/passphrase .* does not open it/);
    expect(tlsServerOptions(tls({ keyFile: encrypted, passphrase: 's3cret pass' }))!.options.passphrase).toBe(
      's3cret pass',
    );
  });

  it('says when a path is a folder', () => {
    expect(failure({ keyFile: pki.dir })).toMatch(/cannot read .* \(it is a folder, not a file\)/);
  });

  it('warns of a certificate about to expire', () => {
    const warnings = tlsServerOptions(tls())!.warnings;
    expect(warnings.join('\n')).toMatch(/server\.tls\.certFile .* expires in [01] days/);
    const later = tlsServerOptions(tls(), new Date(Date.now() + 5 * 86_400_000))!.warnings;
    expect(later.join('\n')).toMatch(/expired on .* clients will refuse it/);
  });

  describe('the options it gives a TLS server', () => {
    let tlsServer: Server;
    let port: number;
    beforeAll(async () => {
      const setup = tlsServerOptions(tls({ caFile: ca.certFile, clientCertificates: 'required' }))!;
      tlsServer = createServer(setup.options, (socket) => socket.end('ok'));
      await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
      port = (tlsServer.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => tlsServer.close(() => resolve())));

    const handshake = (maxVersion: 'TLSv1.1' | 'TLSv1.2'): Promise<string> =>
      new Promise((resolve, reject) => {
        const client: TLSSocket = connect({
          host: '127.0.0.1',
          port,
          ca: ca.cert,
          cert: his.cert,
          key: his.key,
          minVersion: 'TLSv1',
          maxVersion,
          ciphers: 'DEFAULT@SECLEVEL=0',
        });
        client.on('secureConnect', () => {
          resolve(String(client.getProtocol()));
          client.destroy();
        });
        client.on('error', reject);
      });

    it('speaks TLS 1.2 and refuses TLS 1.1', async () => {
      await expect(handshake('TLSv1.2')).resolves.toBe('TLSv1.2');
      await expect(handshake('TLSv1.1')).rejects.toThrow(/protocol|version|alert/i);
    });
  });
});
