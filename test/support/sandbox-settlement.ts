import type { ReplyEnvelope } from '../../src/upstream/protocol/envelope';
import { INFCODE } from '../../src/upstream/protocol/transactions';
import { SandboxInsurer, SandboxInsurerOptions } from '../../src/sandbox/sandbox-insurer';
import { PinnedClock } from './pinned-clock';
import { createTestGateway, send, signedRequest, TestGateway } from './test-gateway';

/**
 * For the sandbox's settlement specs: fee lines, and a sandbox insurer with a pinned clock
 * (2026-11-25 10:00 Beijing) and a stand-in gateway that posts signed messages.
 */
export const drugLine = (sn: string, codes: string[], cnt = 2, pric = 12.5, extra: object = {}) => ({
  feedetl_sn: sn,
  med_list_codg: 'XM01AEI045A001010101445',
  item_name: '布洛芬缓释胶囊',
  list_type: 'drug',
  cnt,
  pric,
  det_item_fee_sumamt: Math.round(cnt * pric * 100) / 100,
  injury_related: true,
  drug_trac_codg: codes,
  ...extra,
});

export const serviceLine = (sn: string, amount: number, extra: object = {}) => ({
  feedetl_sn: sn,
  med_list_codg: '001201000010000',
  item_name: '换药（中）',
  list_type: 'service',
  cnt: 1,
  pric: amount,
  det_item_fee_sumamt: amount,
  injury_related: true,
  ...extra,
});

/** The total of fee lines in yuan, added in cents. */
export const sumOf = (lines: object[]): number =>
  lines.reduce(
    (acc: number, l) => acc + Math.round((l as { det_item_fee_sumamt: number }).det_item_fee_sumamt * 100),
    0,
  ) / 100;

export interface SandboxWorld {
  clock: PinnedClock;
  gateway: TestGateway;
  insurer: SandboxInsurer;
  /** Posts one signed message; returns the request and the reply. */
  post(infno: string, input: object): Promise<{ msgid: string; reply: ReplyEnvelope }>;
  /** Posts and expects success; returns the output. */
  ok<O = Record<string, unknown>>(infno: string, input: object): Promise<O>;
  /** Posts and expects a refusal (infcode −1); returns err_msg. */
  refused(infno: string, input: object): Promise<string | null>;
}

/** A fresh world per test: call in beforeEach, stop the insurer in afterEach. */
export function sandboxWorld(options: Partial<SandboxInsurerOptions> = {}): SandboxWorld {
  const clock = new PinnedClock(new Date('2026-11-25T02:00:00Z'));
  const gateway = createTestGateway({ clock: { now: () => clock.now() } });
  const insurer = new SandboxInsurer({ gatewayKeys: { [gateway.cainfo]: gateway.keys.publicKey }, clock, ...options });
  const post = async (infno: string, input: object) => {
    const request = signedRequest(gateway, infno, input);
    return { msgid: request.msgid, reply: await send(insurer, request) };
  };
  return {
    clock,
    gateway,
    insurer,
    post,
    async ok<O>(infno: string, input: object): Promise<O> {
      const { reply } = await post(infno, input);
      if (reply.infcode !== INFCODE.ok) {
        throw new Error(`${infno} refused: ${reply.err_msg}`);
      }
      return reply.output as O;
    },
    async refused(infno: string, input: object): Promise<string | null> {
      const { reply } = await post(infno, input);
      if (reply.infcode !== INFCODE.rejected || reply.output !== null) {
        throw new Error(`${infno} expected a refusal, got infcode ${reply.infcode}`);
      }
      return reply.err_msg;
    },
  };
}
