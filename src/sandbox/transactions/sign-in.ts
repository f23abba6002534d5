import { isIP } from 'node:net';
import { beijingDateTime } from '../../upstream/protocol/msgid';
import { optionalString, requireString } from '../input-fields';
import { Rejection } from '../rejection';
import { TxContext, TxResult } from './context';

/** 9001 sign-in (national code): an operator signs in and gets the sign_no later envelopes carry. */
export interface SignInOutput {
  sign_no: string;
  sign_time: string;
}

export function signIn(ctx: TxContext): TxResult<SignInOutput> {
  const opterNo = requireString(ctx.input, 'opter_no', '', { maxLength: 30 });
  optionalString(ctx.input, 'mac', '', { pattern: /^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$/, format: 'MAC地址' });
  const ip = optionalString(ctx.input, 'ip');
  if (ip !== undefined && isIP(ip) === 0) {
    throw new Rejection('字段 ip 不是有效的IP地址');
  }
  if (opterNo !== ctx.envelope.opter) {
    throw new Rejection('签到操作员 opter_no 与报文 opter 不一致');
  }
  // Digits only, like the national sign_no.
  const signNo = ctx.ledger.nextId('', ctx.now);
  ctx.ledger.signIns.set(signNo, {
    sign_no: signNo,
    fixmedins_code: ctx.envelope.fixmedins_code,
    opter_no: opterNo,
    at: ctx.now,
  });
  return { output: { sign_no: signNo, sign_time: beijingDateTime(ctx.now) } };
}
