import { Injectable } from '@nestjs/common';
import type { TLSSocket } from 'node:tls';
import { GatewayConfig } from '../config/gateway-config';
import { UnauthenticatedError } from '../errors/domain-error';

/** `AB:CD:…` or `abcd…` → `ABCD…` (64 upper-case hex characters). */
export function normaliseFingerprint(fingerprint: string): string {
  return fingerprint.replace(/[\s:]/g, '').toUpperCase();
}

/**
 * Mutual TLS for API keys (server.tls, docs/security.md "Transport"). The TLS layer has already
 * refused certificates not signed by server.tls.caFile (tls.ts); this decides whether the
 * certificate of the connection may use the API key of the request:
 * - a key listed in server.tls.clientCertBindings needs one of its listed certificates;
 * - with clientCertificates `required`, every key must be listed (the certificate proves which HIS
 *   system is calling, the key what it may do);
 * - with `optional`, an unlisted key works without a certificate (desk browsers, tools);
 * - with `off`, nothing is checked (there are no bindings then).
 * The bearer key stays required in every mode: a certificate alone authenticates nobody.
 */
@Injectable()
export class ClientCertificateCheck {
  private readonly bindings = new Map<string, Set<string>>();
  private readonly mode: GatewayConfig['server']['tls']['clientCertificates'];

  constructor(config: GatewayConfig) {
    const tls = config.server.tls;
    this.mode = tls.certFile ? tls.clientCertificates : 'off';
    for (const binding of tls.clientCertBindings) {
      const set = this.bindings.get(binding.keyId) ?? new Set<string>();
      set.add(normaliseFingerprint(binding.sha256));
      this.bindings.set(binding.keyId, set);
    }
  }

  /** Throws 401 AUTH_CLIENT_CERT_MISMATCH when the connection's certificate may not use this key. */
  check(keyId: string, socket: unknown): void {
    if (this.mode === 'off') {
      return;
    }
    const allowed = this.bindings.get(keyId);
    if (!allowed && this.mode === 'optional') {
      return;
    }
    const fingerprint = peerFingerprint(socket);
    if (!allowed) {
      throw new UnauthenticatedError(
        'AUTH_CLIENT_CERT_MISMATCH',
        `该 API 密钥（${keyId}）尚未绑定客户端证书：请信息科在 server.tls.clientCertBindings 中为它登记本系统的证书指纹`,
      );
    }
    if (!fingerprint) {
      throw new UnauthenticatedError(
        'AUTH_CLIENT_CERT_MISMATCH',
        `该 API 密钥（${keyId}）只能配合其绑定的客户端证书使用：请在 HTTPS 连接中出示该证书`,
      );
    }
    if (!allowed.has(fingerprint)) {
      throw new UnauthenticatedError(
        'AUTH_CLIENT_CERT_MISMATCH',
        `客户端证书与该 API 密钥（${keyId}）的绑定不符：请使用为本系统签发并登记的证书和密钥`,
      );
    }
  }
}

/** The SHA-256 fingerprint of a certificate the CA signed, presented on this connection; else undefined. */
function peerFingerprint(socket: unknown): string | undefined {
  const tls = socket as Partial<TLSSocket> | undefined;
  if (!tls || typeof tls.getPeerCertificate !== 'function' || !tls.authorized) {
    return undefined;
  }
  const cert = tls.getPeerCertificate();
  return cert?.fingerprint256 ? normaliseFingerprint(cert.fingerprint256) : undefined;
}
