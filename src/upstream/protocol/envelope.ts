import { canonicalJson } from './canonical-json';
import { sm2Sign, sm2Verify, SignatureKeys, Sm2VerifyKey } from './sm2-signer';

/**
 * The message shapes of the insurer protocol (docs/upstream-protocol.md), modelled on the
 * national medical-insurance interface: every call is one signed request envelope, every
 * answer one signed reply envelope.
 */
export const SIGN_TYPE = 'SM2';
export const INTERFACE_VERSION = 'V1.0';

export type OperatorType = '1' | '2' | '3'; // 1 staff, 2 self-service kiosk, 3 mobile

export interface RequestEnvelope<I = unknown> {
  infno: string;
  msgid: string;
  mdtrtarea_admvs: string;
  insuplc_admdvs: string;
  recer_sys_code: string;
  dev_no: string;
  dev_safe_info: string;
  /** Id of the key that signed (lets the insurer rotate and look up our public key). */
  cainfo: string;
  signtype: typeof SIGN_TYPE;
  infver: string;
  opter_type: OperatorType;
  opter: string;
  opter_name: string;
  inf_time: string;
  fixmedins_code: string;
  fixmedins_name: string;
  sign_no: string;
  input: I;
  /** SM2 over the canonical JSON of every other member. */
  sign: string;
}

export interface ReplyEnvelope<O = unknown> {
  /** 0 success; anything else is a business rejection with err_msg. */
  infcode: number;
  inf_refmsgid: string;
  refmsg_time: string;
  respond_time: string;
  err_msg: string | null;
  warn_msg: string | null;
  output: O | null;
  /** Id of the insurer key that signed. */
  cainfo: string;
  signtype: typeof SIGN_TYPE;
  sign: string;
}

export type Unsigned<T extends { sign: string }> = Omit<T, 'sign'>;

export function signEnvelope<T extends { sign: string }>(unsigned: Unsigned<T>, keys: SignatureKeys): T {
  return { ...unsigned, sign: sm2Sign(canonicalJson(unsigned), keys) } as T;
}

/** True when `envelope.sign` is a valid SM2 signature of the rest of it under `publicKey` (hex, or prepared by `sm2VerifyKey`). */
export function verifyEnvelope(envelope: object, publicKey: string | Sm2VerifyKey): boolean {
  const { sign, ...rest } = envelope as { sign?: unknown };
  return typeof sign === 'string' && sm2Verify(canonicalJson(rest), sign, publicKey);
}
