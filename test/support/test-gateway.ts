import type { SandboxInsurer } from '../../src/sandbox/sandbox-insurer';
import { SANDBOX_HOSPITAL } from '../../src/sandbox/seed-people';
import {
  INTERFACE_VERSION,
  ReplyEnvelope,
  RequestEnvelope,
  signEnvelope,
  SIGN_TYPE,
  Unsigned,
} from '../../src/upstream/protocol/envelope';
import {
  beijingDateTime,
  beijingTimestamp,
  formatMsgid,
  MAX_SEQUENCE_PER_SECOND,
} from '../../src/upstream/protocol/msgid';
import { generateSm2Keys, SignatureKeys } from '../../src/upstream/protocol/sm2-signer';

/** For specs that talk to the sandbox insurer: a stand-in gateway that signs envelopes. */
export interface TestGateway {
  cainfo: string;
  keys: SignatureKeys;
  fixmedinsCode: string;
  fixmedinsName: string;
  clock: { now(): Date };
}

export function createTestGateway(options: Partial<TestGateway> = {}): TestGateway {
  return {
    cainfo: options.cainfo ?? 'gw-test-01',
    keys: options.keys ?? generateSm2Keys(),
    fixmedinsCode: options.fixmedinsCode ?? SANDBOX_HOSPITAL.fixmedins_code,
    fixmedinsName: options.fixmedinsName ?? SANDBOX_HOSPITAL.fixmedins_name,
    clock: options.clock ?? { now: () => new Date() },
  };
}

let sequence = 0;

/** A fresh msgid; specs share one counter, so two calls never collide within a run. */
export function nextMsgid(gateway: TestGateway): string {
  sequence = (sequence % MAX_SEQUENCE_PER_SECOND) + 1;
  return formatMsgid(gateway.fixmedinsCode, beijingTimestamp(gateway.clock.now()), sequence);
}

export function unsignedRequest<I>(
  gateway: TestGateway,
  infno: string,
  input: I,
  overrides: Partial<Unsigned<RequestEnvelope<I>>> = {},
): Unsigned<RequestEnvelope<I>> {
  return {
    infno,
    msgid: nextMsgid(gateway),
    mdtrtarea_admvs: '640106',
    insuplc_admdvs: '',
    recer_sys_code: 'NXGS',
    dev_no: '',
    dev_safe_info: '',
    cainfo: gateway.cainfo,
    signtype: SIGN_TYPE,
    infver: INTERFACE_VERSION,
    opter_type: '1',
    opter: 'D0001',
    opter_name: '结算窗口一',
    inf_time: beijingDateTime(gateway.clock.now()),
    fixmedins_code: gateway.fixmedinsCode,
    fixmedins_name: gateway.fixmedinsName,
    sign_no: '',
    input,
    ...overrides,
  };
}

export function signedRequest<I>(
  gateway: TestGateway,
  infno: string,
  input: I,
  overrides: Partial<Unsigned<RequestEnvelope<I>>> = {},
): RequestEnvelope<I> {
  return signEnvelope<RequestEnvelope<I>>(unsignedRequest(gateway, infno, input, overrides), gateway.keys);
}

/** Sends an envelope in-process and returns the reply (any HTTP status but 200 throws). */
export async function send(insurer: SandboxInsurer, envelope: unknown): Promise<ReplyEnvelope> {
  const res = await insurer.inject({ method: 'POST', url: '/api/transaction', payload: envelope as object });
  if (res.statusCode !== 200) {
    throw new Error(`HTTP ${res.statusCode}: ${res.body}`);
  }
  return res.json<ReplyEnvelope>();
}
