import { randomBytes } from 'node:crypto';

/**
 * QR tokens of the 电子社保卡 and the 宁夏融合码. Real ones are opaque and decoded online by the
 * insurer platform; the sandbox mints its own (random, so nothing can be read from them) and
 * remembers which person each one stands for and until when.
 */
export type QrKind = 'ecard' | 'fusion';

export interface QrTokenRecord {
  token: string;
  certno: string;
  kind: QrKind;
  expiresAt: Date;
}

const PREFIX: Record<QrKind, string> = { ecard: 'ESSC', fusion: 'NXRHM' };

export class QrTokens {
  private readonly tokens = new Map<string, QrTokenRecord>();

  mint(certno: string, kind: QrKind, now: Date, ttlSeconds: number): QrTokenRecord {
    // Upper-case hex only: survives keyboard-wedge scanners and any keyboard layout.
    const token = `${PREFIX[kind]}${randomBytes(20).toString('hex').toUpperCase()}`;
    const record = { token, certno, kind, expiresAt: new Date(now.getTime() + ttlSeconds * 1000) };
    this.tokens.set(token, record);
    return record;
  }

  find(token: string): QrTokenRecord | undefined {
    return this.tokens.get(token);
  }
}
