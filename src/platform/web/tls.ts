import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ServerOptions as HttpsServerOptions } from 'node:https';
import type { Server } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { ServerTlsConfig } from '../config/gateway-config';

/**
 * Transport security of the gateway's own listener (docs/security.md, "Transport"):
 * - HTTPS with the hospital's certificate when `server.tls.certFile` is set: TLS 1.2 and 1.3 only,
 *   forward-secret AEAD cipher suites only. WebSockets (desk events, the agent link) ride on the
 *   same listener, so they are wss:// then.
 * - Mutual TLS (`server.tls.clientCertificates`): `required` refuses, in the handshake, every
 *   connection without a certificate signed by `caFile`; `optional` asks for one and drops a
 *   connection whose certificate `caFile` did not sign. Which certificate may use which API key is
 *   ClientCertificateCheck's business (src/platform/auth/client-certificates.ts).
 * - Security headers on every answer (@fastify/helmet), HSTS only over HTTPS.
 * Everything here is called from createApp() (app.factory.ts): tlsServerOptions() for the adapter,
 * secureTransport() once the app exists.
 */

/** TLS 1.3 suites, then TLS 1.2 ECDHE with AEAD (Mozilla "intermediate", without DHE). */
export const TLS_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** A TLS setting the gateway cannot start with: the message names the key, the file and what to do. */
export class TlsSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TlsSetupError';
  }
}

export interface TlsSetup {
  options: HttpsServerOptions;
  /** Worth telling the operator at start, not worth refusing to start for (an expiring certificate). */
  warnings: string[];
}

/**
 * The `https` options for Fastify, read and checked from `server.tls`; undefined when TLS is off
 * (certFile empty). Throws TlsSetupError for a missing, unreadable or mismatched file.
 */
export function tlsServerOptions(tls: ServerTlsConfig, now: Date = new Date()): TlsSetup | undefined {
  if (!tls.certFile) {
    if (tls.keyFile || tls.clientCertificates !== 'off') {
      throw new TlsSetupError(
        `server.tls.certFile is empty (plain HTTP) but ${tls.keyFile ? 'server.tls.keyFile' : `server.tls.clientCertificates (${tls.clientCertificates})`} is set: ` +
          'set certFile to the PEM file of the gateway certificate to turn HTTPS on, or clear the other TLS settings.',
      );
    }
    return undefined;
  }
  if (!tls.keyFile) {
    throw new TlsSetupError(
      `server.tls.keyFile is empty: set it to the PEM file of the private key of ${tls.certFile} (server.tls.certFile).`,
    );
  }
  const warnings: string[] = [];
  const certPem = readPem('server.tls.certFile', tls.certFile, "the gateway's certificate (PEM)");
  const chain = parseCertificates('server.tls.certFile', tls.certFile, certPem);
  const leaf = chain[0];
  const keyPem = readPem('server.tls.keyFile', tls.keyFile, "the private key of the gateway's certificate (PEM)");
  const key = parsePrivateKey(tls.keyFile, keyPem, tls.passphrase);
  if (!leaf.checkPrivateKey(key)) {
    throw new TlsSetupError(
      `server.tls.keyFile ${tls.keyFile} is not the private key of the certificate in server.tls.certFile ${tls.certFile} ` +
        '(the first certificate in that file must be the gateway’s own, its intermediates after it): ' +
        'use the key the certificate request was made with, or have the certificate reissued.',
    );
  }
  warnings.push(...validityWarnings('server.tls.certFile', tls.certFile, leaf, now));

  const options: HttpsServerOptions = {
    cert: certPem,
    key: keyPem,
    ...(tls.passphrase ? { passphrase: tls.passphrase } : {}),
    minVersion: 'TLSv1.2',
    ciphers: TLS_CIPHERS,
    honorCipherOrder: true,
  };

  if (tls.clientCertificates === 'off') {
    if (tls.clientCertBindings.length > 0) {
      throw new TlsSetupError(
        'server.tls.clientCertBindings lists certificates but server.tls.clientCertificates is off: ' +
          'set clientCertificates to optional or required (with caFile), or remove the bindings.',
      );
    }
    if (tls.caFile) {
      warnings.push(
        `server.tls.caFile (${tls.caFile}) is ignored: server.tls.clientCertificates is off, no client certificates are asked for.`,
      );
    }
    return { options, warnings };
  }

  if (!tls.caFile) {
    throw new TlsSetupError(
      `server.tls.clientCertificates is ${tls.clientCertificates} but server.tls.caFile is empty: ` +
        'set it to the PEM file of the CA that signs the HIS client certificates.',
    );
  }
  const caPem = readPem('server.tls.caFile', tls.caFile, 'the CA certificate(s) that sign client certificates (PEM)');
  const cas = parseCertificates('server.tls.caFile', tls.caFile, caPem);
  for (const ca of cas) {
    if (!ca.ca) {
      warnings.push(
        `server.tls.caFile ${tls.caFile} holds ${ca.subject.replace(/\n/g, ', ')}, which is not a CA certificate (basicConstraints CA:FALSE): ` +
          'client certificates are checked against CA certificates only.',
      );
    }
    warnings.push(...validityWarnings('server.tls.caFile', tls.caFile, ca, now));
  }
  return {
    options: {
      ...options,
      ca: caPem,
      requestCert: true,
      rejectUnauthorized: tls.clientCertificates === 'required',
    },
    warnings,
  };
}

export interface TransportLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

/**
 * Security headers on every answer, and with `clientCertificates: optional` the refusal of a
 * connection whose certificate caFile did not sign. Call once, right after the app is created and
 * before any route is registered.
 */
export async function secureTransport(
  app: NestFastifyApplication,
  tls: ServerTlsConfig,
  logger: TransportLogger,
): Promise<void> {
  const https = Boolean(tls.certFile);
  const headers: FastifyHelmetOptions = {
    // Global: also the 404s, error answers, /health, the console and the API docs. The console's
    // pages send a stricter policy of their own (console-pages.ts), which wins over this one.
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'base-uri': ["'self'"],
        'script-src': ["'self'"],
        'script-src-attr': ["'none'"],
        // Swagger UI (/api/docs) puts its layout in <style> elements and style attributes.
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        'object-src': ["'none'"],
        'form-action': ["'self'"],
        // The console shows a form's PDF in a frame of its own page: same origin only. The console's
        // pages themselves may not be framed at all (console-pages.ts).
        'frame-ancestors': ["'self'"],
        // Only over HTTPS: on plain HTTP it would send the browser to an https:// nobody answers.
        ...(https ? { 'upgrade-insecure-requests': [] } : {}),
      },
    },
    frameguard: { action: 'sameorigin' },
    referrerPolicy: { policy: 'same-origin' },
    // A year, as browsers' preload lists expect; never over plain HTTP (it would lock browsers out).
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: false } : false,
  };
  // Nest's Fastify adapter brings its own copy of Fastify's types; the plugin is the same at run time.
  await app.register(helmet as unknown as Parameters<NestFastifyApplication['register']>[0], headers);

  if (https && tls.clientCertificates === 'optional') {
    const server = app.getHttpServer() as unknown as Server;
    server.on('secureConnection', (socket: TLSSocket) => {
      if (socket.authorized) {
        return;
      }
      const cert = socket.getPeerCertificate();
      if (cert && Object.keys(cert).length > 0) {
        logger.warn(
          {
            remoteAddress: socket.remoteAddress,
            reason: String(socket.authorizationError),
            subject: cert.subject,
            fingerprint256: cert.fingerprint256,
          },
          'client certificate refused: not signed by server.tls.caFile',
        );
        socket.destroy();
      }
    });
  }
}

function readPem(key: string, file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES' || code === 'EPERM'
          ? "the gateway's user may not read it (check its owner and permissions)"
          : code === 'EISDIR'
            ? 'it is a folder, not a file'
            : (e as Error).message;
    throw new TlsSetupError(`${key}: cannot read ${file} (${why}). Put ${what} there, or correct the path.`);
  }
}

function parseCertificates(key: string, file: string, pem: Buffer): X509Certificate[] {
  const blocks = pem.toString('utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) {
    throw new TlsSetupError(
      `${key}: ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----). ` +
        'A DER (.cer/.der) file converts with: openssl x509 -inform der -in <file> -out <file>.pem',
    );
  }
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (e) {
      throw new TlsSetupError(`${key}: certificate ${i + 1} in ${file} cannot be read (${(e as Error).message}).`);
    }
  });
}

function parsePrivateKey(file: string, pem: Buffer, passphrase: string): KeyObject {
  const encrypted = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(pem.toString('utf8'));
  try {
    return createPrivateKey({ key: pem, format: 'pem', ...(passphrase ? { passphrase } : {}) });
  } catch (e) {
    const message = (e as Error).message;
    if (encrypted || /passphrase|bad decrypt/i.test(message)) {
      throw new TlsSetupError(
        passphrase
          ? `server.tls.keyFile ${file}: the passphrase in server.tls.passphrase does not open it: correct the passphrase.`
          : `server.tls.keyFile ${file} is encrypted: set its passphrase in server.tls.passphrase (GW_SERVER__TLS__PASSPHRASE).`,
      );
    }
    throw new TlsSetupError(
      `server.tls.keyFile ${file} holds no readable PEM private key (${message}): ` +
        'it must be the key (-----BEGIN … PRIVATE KEY-----), not a certificate.',
    );
  }
}

function validityWarnings(key: string, file: string, cert: X509Certificate, now: Date): string[] {
  const from = new Date(cert.validFrom);
  const to = new Date(cert.validTo);
  const subject = cert.subject.replace(/\n/g, ', ');
  if (now < from) {
    return [
      `${key} ${file}: the certificate ${subject} is not valid before ${from.toISOString()}: check this computer's clock.`,
    ];
  }
  if (now > to) {
    return [
      `${key} ${file}: the certificate ${subject} expired on ${to.toISOString()}: clients will refuse it; renew it.`,
    ];
  }
  const daysLeft = Math.floor((to.getTime() - now.getTime()) / 86_400_000);
  if (daysLeft < 30) {
    return [`${key} ${file}: the certificate ${subject} expires in ${daysLeft} days (${to.toISOString()}): renew it.`];
  }
  return [];
}
