import { FastifyInstance } from 'fastify';
import { isSm2PublicKey } from '../upstream/protocol/sm2-signer';
import { auditVersionView, parseAuditScript } from './audits';
import { FaultControl, parseFaultPatch } from './faults';
import { isFields } from './input-fields';
import { Ledger } from './ledger';
import { Listener } from './listener';
import { MessageStore } from './message-store';
import { QrKind } from './qr-tokens';
import { parseInjuryPatch, PeopleDirectory } from './people';
import { SEED } from './seed-people';

/**
 * /sandbox/*: the test and demo controls — counters, the message log, QR tokens, faults,
 * gateway key registration. Not part of the insurer protocol; plain JSON, English errors.
 */
export interface ControlRouteDeps {
  faults: FaultControl;
  messages: MessageStore;
  listener: Listener;
  mintQrToken: (certno: string, kind: QrKind) => { token: string; expiresAt: string } | undefined;
  gatewayKeys: Map<string, string>;
  people: PeopleDirectory;
  ledger: Ledger;
  clock: { now(): Date };
}

export function registerControlRoutes(app: FastifyInstance, deps: ControlRouteDeps): void {
  const { faults, messages, listener, gatewayKeys } = deps;

  app.get('/sandbox/stats', async () => messages.stats());

  app.get<{ Params: { msgid: string } }>('/sandbox/messages/:msgid', async (request, reply) => {
    const view = messages.view(request.params.msgid);
    return view ?? reply.code(404).send({ error: 'no message with this msgid was received' });
  });

  app.post('/sandbox/qr-tokens', async (request, reply) => {
    const body = request.body;
    if (!isFields(body) || typeof body.certno !== 'string' || (body.kind !== 'ecard' && body.kind !== 'fusion')) {
      return reply.code(400).send({ error: "body must be { certno: string, kind: 'ecard' | 'fusion' }" });
    }
    const minted = deps.mintQrToken(body.certno, body.kind);
    return minted ? reply.code(201).send(minted) : reply.code(404).send({ error: 'no such person (certno)' });
  });

  const roleOf = new Map(Object.entries(SEED).map(([role, p]) => [p.certno, role]));
  app.get('/sandbox/people', async () =>
    deps.people.all().map((p) => ({
      role: roleOf.get(p.certno) ?? null,
      psn_name: p.psn_name,
      certno: p.certno,
      psn_no: p.psn_no,
      card_sn: p.card.card_sn,
    })),
  );

  // The insurer registers a determination (认定结论): e.g. a pending one made, for 自费转工伤.
  app.put<{ Params: { certno: string } }>('/sandbox/people/:certno/injury', async (request, reply) => {
    const patch = parseInjuryPatch(request.body);
    if (typeof patch === 'string') {
      return reply.code(400).send({ error: patch });
    }
    const injury = deps.people.updateInjury(request.params.certno, patch);
    return injury ?? reply.code(404).send({ error: 'no such person (certno)' });
  });

  // The insurer's audit of a settlement (3501): read it, or script it — deductions released now
  // (an amendment when a result was out), or held back (the insurer is late).
  app.get<{ Params: { setlId: string } }>('/sandbox/audits/:setlId', async (request, reply) => {
    const record = deps.ledger.settlements.get(request.params.setlId);
    if (record === undefined) {
      return reply.code(404).send({ error: 'no settlement with this setl_id' });
    }
    const versions = deps.ledger.audits.released(record, deps.clock.now());
    return { setl_id: record.setl_id, hold: record.audit.hold, versions: versions.map(auditVersionView) };
  });

  app.put<{ Params: { setlId: string } }>('/sandbox/audits/:setlId', async (request, reply) => {
    const record = deps.ledger.settlements.get(request.params.setlId);
    if (record === undefined) {
      return reply.code(404).send({ error: 'no settlement with this setl_id' });
    }
    const script = parseAuditScript(request.body, record);
    if (typeof script === 'string') {
      return reply.code(400).send({ error: script });
    }
    const now = deps.clock.now();
    if ('hold' in script) {
      if (deps.ledger.audits.released(record, now).length > 0) {
        return reply.code(409).send({ error: 'a result was already released: script an amendment instead' });
      }
      record.audit.hold = true;
      return { setl_id: record.setl_id, hold: true, versions: [] };
    }
    return auditVersionView(deps.ledger.audits.script(record, script.deductions, now));
  });

  app.get('/sandbox/faults', async () => faults.get());

  app.put('/sandbox/faults', async (request, reply) => {
    const patch = parseFaultPatch(request.body);
    if (typeof patch === 'string') {
      return reply.code(400).send({ error: patch });
    }
    if (patch.down === true && listener.isMainPort(request.raw.socket)) {
      if (listener.controlUrl === undefined) {
        return reply.code(409).send({
          error:
            'down via the main port would leave nothing to switch it back on: start with a control port, or use the class API',
        });
      }
      // Answer first, then close the port this answer travels on.
      reply.raw.once('finish', () => void faults.set(patch).catch((e: unknown) => request.log.error(e)));
      return reply.send({ ...faults.get(), ...patch });
    }
    return faults.set(patch);
  });

  app.delete('/sandbox/faults', async () => faults.reset());

  app.get('/sandbox/gateway-keys', async () => Object.fromEntries(gatewayKeys));

  app.put<{ Params: { cainfo: string } }>('/sandbox/gateway-keys/:cainfo', async (request, reply) => {
    const body = request.body;
    if (!isFields(body) || typeof body.publicKey !== 'string' || !isSm2PublicKey(body.publicKey)) {
      return reply.code(400).send({ error: 'body must be { publicKey: <uncompressed SM2 public key, 130 hex> }' });
    }
    gatewayKeys.set(request.params.cainfo, body.publicKey);
    return reply.code(204).send();
  });
}
