import { canonicalJson } from '../upstream/protocol/canonical-json';
import { ReplyEnvelope, signEnvelope, SIGN_TYPE, verifyEnvelope } from '../upstream/protocol/envelope';
import { beijingDateTime, parseMsgid } from '../upstream/protocol/msgid';
import { SignatureKeys } from '../upstream/protocol/sm2-signer';
import { INFCODE } from '../upstream/protocol/transactions';
import { isDateTime } from './dates';
import { checkEnvelope } from './envelope-check';
import { isFields } from './input-fields';
import { Ledger } from './ledger';
import { MessageStore } from './message-store';
import { PeopleDirectory } from './people';
import { QrTokens } from './qr-tokens';
import { Rejection } from './rejection';
import { TxHandler } from './transactions/context';

/**
 * One request envelope in, one signed reply out — the insurer's rules in the order a real one
 * applies them: authenticate (cainfo, signature), identify (msgid), deduplicate, then check
 * and process. Synchronous from the msgid lookup to the store, so the same msgid arriving
 * twice at once is still processed once.
 */
export interface ProcessorDeps {
  clock: { now(): Date };
  insurerKeys: SignatureKeys;
  insurerKeyId: string;
  /** cainfo → gateway public key; a Map so keys can be registered at run time. */
  gatewayKeys: Map<string, string>;
  messages: MessageStore;
  ledger: Ledger;
  people: PeopleDirectory;
  qrTokens: QrTokens;
  hsmSecret: string;
  handlers: ReadonlyMap<string, TxHandler>;
}

/** processed: first receipt, stored; duplicate: stored reply sent again; refused: not stored. */
export type Outcome = 'processed' | 'duplicate' | 'refused';

export interface ProcessResult {
  outcome: Outcome;
  reply: ReplyEnvelope;
}

export class TransactionProcessor {
  constructor(private readonly deps: ProcessorDeps) {}

  process(body: unknown): ProcessResult {
    const { messages, gatewayKeys } = this.deps;
    const receivedAt = this.deps.clock.now();
    const refuse = (msgid: string, infcode: number, errMsg: string): ProcessResult => {
      messages.count('refused');
      return { outcome: 'refused', reply: this.sign(msgid, receivedAt, infcode, errMsg, null, null) };
    };

    if (!isFields(body)) {
      return refuse('', INFCODE.rejected, '报文应为 JSON 对象');
    }
    const msgid = typeof body.msgid === 'string' ? body.msgid : '';
    // Authenticate before anything else: an unsigned message learns nothing about our data.
    const publicKey = typeof body.cainfo === 'string' ? gatewayKeys.get(body.cainfo) : undefined;
    if (publicKey === undefined) {
      return refuse(msgid, INFCODE.badSignature, '签名证书 cainfo 未登记，无法验证签名');
    }
    if (!verifyEnvelope(body, publicKey)) {
      return refuse(msgid, INFCODE.badSignature, '报文签名验证失败');
    }
    const parsed = parseMsgid(msgid);
    if (parsed === undefined || !isDateTime(secondAsDateTime(parsed.second)) || parsed.sequence === 0) {
      return refuse(
        msgid,
        INFCODE.rejected,
        'msgid 格式错误：应为机构编码(12位)+yyyyMMddHHmmss(14位)+序号(4位，0001起)，共30位',
      );
    }
    if (body.fixmedins_code !== parsed.fixmedinsCode) {
      return refuse(msgid, INFCODE.rejected, 'msgid 前12位与 fixmedins_code 不符');
    }

    const fingerprint = canonicalJson({ infno: body.infno, input: body.input });
    const existing = messages.get(msgid);
    if (existing !== undefined) {
      if (existing.fingerprint !== fingerprint) {
        // The classic bug of msgids built from random digits: two messages, one id.
        messages.count('conflicts');
        return refuse(msgid, INFCODE.rejected, 'msgid 已被另一笔内容不同的报文使用，报文ID不得重复');
      }
      messages.noteDuplicate(existing);
      return { outcome: 'duplicate', reply: existing.reply };
    }

    const { infcode, errMsg, output, warn } = this.run(body, receivedAt);
    const reply = this.sign(msgid, receivedAt, infcode, errMsg, warn, output);
    const signNo = typeof body.sign_no === 'string' ? body.sign_no : '';
    messages.add({
      msgid,
      infno: typeof body.infno === 'string' ? body.infno : '',
      fixmedinsCode: parsed.fixmedinsCode,
      signNo,
      signNoKnown: this.deps.ledger.signIns.has(signNo),
      fingerprint,
      receivedAt,
      timesReceived: 1,
      reply,
    });
    return { outcome: 'processed', reply };
  }

  /**
   * A settlement reply (its output has fund_pay_sumamt) as a faulty front end would answer it:
   * fund_pay_sumamt off by 0.01 yuan, signed again. Undefined for any other reply. The stored reply
   * is untouched.
   */
  garbledSplit(reply: ReplyEnvelope): ReplyEnvelope | undefined {
    const output = reply.output as Record<string, unknown> | null;
    if (reply.infcode !== INFCODE.ok || typeof output?.fund_pay_sumamt !== 'number') {
      return undefined;
    }
    const fund = Math.round(output.fund_pay_sumamt * 100 + 1) / 100;
    const { sign: _sign, ...unsigned } = reply;
    return signEnvelope<ReplyEnvelope>(
      { ...unsigned, output: { ...output, fund_pay_sumamt: fund } },
      this.deps.insurerKeys,
    );
  }

  private run(
    body: Record<string, unknown>,
    now: Date,
  ): { infcode: number; errMsg: string | null; output: unknown; warn: string | null } {
    try {
      const envelope = checkEnvelope(body);
      const handler = this.deps.handlers.get(envelope.infno);
      if (handler === undefined) {
        throw new Rejection(`不支持的交易编号 ${envelope.infno}`);
      }
      const { people, ledger, messages, qrTokens, hsmSecret } = this.deps;
      const result = handler({ envelope, input: envelope.input, now, people, ledger, messages, qrTokens, hsmSecret });
      return { infcode: INFCODE.ok, errMsg: null, output: result.output, warn: result.warn ?? null };
    } catch (error) {
      if (error instanceof Rejection) {
        return { infcode: error.infcode, errMsg: error.message, output: null, warn: null };
      }
      throw error; // a sandbox bug: let it surface as HTTP 500, nothing stored
    }
  }

  private sign(
    msgid: string,
    receivedAt: Date,
    infcode: number,
    errMsg: string | null,
    warn: string | null,
    output: unknown,
  ): ReplyEnvelope {
    return signEnvelope<ReplyEnvelope>(
      {
        infcode,
        inf_refmsgid: msgid,
        refmsg_time: beijingDateTime(receivedAt),
        respond_time: beijingDateTime(this.deps.clock.now()),
        err_msg: errMsg,
        warn_msg: warn,
        output: output ?? null,
        cainfo: this.deps.insurerKeyId,
        signtype: SIGN_TYPE,
      },
      this.deps.insurerKeys,
    );
  }
}

function secondAsDateTime(s: string): string {
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)} ${s.slice(8, 10)}:${s.slice(10, 12)}:${s.slice(12, 14)}`;
}
