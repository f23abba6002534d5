/**
 * The types of a social-security card read: what comes back, and the injected seams (the
 * reader's `transmit` and the PSAM/HSM authenticator).
 */

/** What EF05 gives without authentication. */
export interface SsseCardPublicInfo {
  /** 卡识别码, 32 upper-case hex characters. */
  readonly cardSn: string;
  /** 发卡地区行政区划代码: the first 6 characters of 卡识别码. */
  readonly region: string;
  /** 卡类别. */
  readonly cardType: string;
  /** 规范版本, "1.00" / "2.00" / "3.00". */
  readonly specVersion: string;
  /** 初始化机构编号, 24 upper-case hex characters. */
  readonly issuer: string;
  /** 发卡日期, YYYY-MM-DD. */
  readonly issueDate: string;
  /** 卡有效期, YYYY-MM-DD. */
  readonly validUntil: string;
}

export interface SsseCard extends SsseCardPublicInfo {
  /** 卡号 (9 characters). */
  readonly cardNo: string;
  /** 社会保障号码 (the 18-character ID number). */
  readonly ssn: string;
  /** 姓名, with 姓名扩展 appended when the card has one. */
  readonly name: string;
  /** 性别 code (GB/T 2261.1): '1' male, '2' female, '0' unknown, '9' unstated. */
  readonly sex: string;
  /** 民族 code (GB/T 3304), two digits, e.g. '01' 汉族. */
  readonly nation: string;
  /** 出生地: administrative division code (up to 6 digits). */
  readonly birthPlace: string;
  /** 出生日期, YYYY-MM-DD. */
  readonly birthDate: string;
}

export type AuthenticationFailure =
  /** The card wants authentication and no PSAM/HSM step was given. */
  | 'NO_AUTHENTICATOR'
  /** The card refused INTERNAL AUTHENTICATE, so it could not prove it is genuine. */
  | 'INTERNAL_AUTH_FAILED'
  /** The PSAM/HSM step threw (no PSAM, HSM unreachable, card not genuine …). */
  | 'AUTHENTICATOR_FAILED'
  /** The card refused the cryptogram (63 Cx, 69 83, 69 84 …). */
  | 'CARD_REJECTED'
  /** Authentication succeeded but the card still answers 69 82. */
  | 'STILL_PROTECTED'
  /** A 3rd-generation card answered 90 00 with a blank 姓名 / 社会保障号码 / 卡号. */
  | 'PROTECTED_FIELDS_EMPTY';

export interface AuthenticationRequiredReason {
  readonly code: AuthenticationFailure;
  /** Chinese, for staff. */
  readonly message: string;
  readonly sw?: number;
  readonly driverCode?: number;
  /** What the authenticator threw, for logs only (may hold a library's message). */
  readonly cause?: unknown;
}

export type SsseCardRead =
  | { readonly kind: 'complete'; readonly card: SsseCard }
  | {
      readonly kind: 'authentication-required';
      readonly card: SsseCardPublicInfo;
      readonly reason: AuthenticationRequiredReason;
    };

/**
 * The PSAM or insurer-HSM step of a 3rd-generation read.
 *
 * - `cardSn`: 卡识别码; the RKSSSE key is diversified with it.
 * - `challenge`: the card's 8-byte GET CHALLENGE answer, to be turned into the cryptogram.
 * - `cardData`: the 8-byte terminal random ‖ the card's INTERNAL AUTHENTICATE answer to it. The
 *   authenticator must check it (this proves the card is genuine) before answering.
 *
 * Resolves with the external-authentication cryptogram; rejects when it cannot or will not.
 */
export interface CardAuthenticator {
  authenticate(cardSn: string, challenge: Buffer, cardData: Buffer): Promise<Buffer>;
}

export type Transmit = (apdu: Buffer) => Promise<Buffer>;

export interface ReadSsseCardOptions {
  /**
   * Key references (P2) of INTERNAL and EXTERNAL AUTHENTICATE. The real values belong to the
   * issuer's key layout and must be configured for real cards; the defaults are the ones the
   * card emulator uses.
   */
  readonly internalKeyRef?: number;
  readonly externalKeyRef?: number;
  /** Source of the 8-byte terminal random for INTERNAL AUTHENTICATE (tests pin it). */
  readonly terminalRandom?: () => Buffer;
}

export const DEFAULT_INTERNAL_KEY_REF = 0x01;
export const DEFAULT_EXTERNAL_KEY_REF = 0x02;
