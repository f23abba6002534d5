import request from 'supertest';

/** Posts to the gateway's API with a key (each spec's `send`). */
export type PostToGateway = (method: 'post', path: string, body?: object) => request.Test;

/**
 * A MATCH verification token for a worker at a visit, as a desk gets it: HIS opens a session with
 * the worker's identity, the worker shows the e-card QR code the sandbox insurer minted.
 */
export async function matchTokenByQr(
  send: PostToGateway,
  insurerUrl: string,
  worker: { certno: string; psn_name: string },
  visitId: string,
  desk = '门诊挂号1',
  visitKind: 'outpatient' | 'inpatient' = 'outpatient',
): Promise<string> {
  const session = (
    await send('post', '/api/v1/identity/sessions', {
      desk,
      visitId,
      visitKind,
      hisIdentity: { idNumber: worker.certno, name: worker.psn_name },
    }).expect(201)
  ).body as { id: string };
  const qr = (
    (await request(insurerUrl).post('/sandbox/qr-tokens').send({ certno: worker.certno, kind: 'ecard' }).expect(201))
      .body as { token: string }
  ).token;
  const match = (await send('post', `/api/v1/identity/sessions/${session.id}/qr`, { text: qr }).expect(200)).body as {
    verdict: string;
    token: string;
  };
  if (match.verdict !== 'MATCH') {
    throw new Error(`expected MATCH for ${visitId}, got ${match.verdict}`);
  }
  return match.token;
}

/** Reads from the gateway's API with a key (each spec's `send`). */
export type GetFromGateway = (method: 'get', path: string) => request.Test;

/**
 * A MATCH verification token as a registration desk gets it with its readers: HIS opens a session
 * at the desk, the worker's social-security card goes into the desk's simulated card reader, their
 * ID card onto its ID-card reader (`role` names a seed person, e.g. `activeFingers`); the gateway
 * reads both, asks the insurer (1101) and decides. The devices must be configured at `desk`
 * (`transport: 'simulated'`). The card is taken out again afterwards.
 */
export async function matchTokenByCards(
  api: PostToGateway & GetFromGateway,
  base: string,
  devices: { desk: string; card: string; idCard: string },
  role: string,
  visitId: string,
  visitKind: 'outpatient' | 'inpatient' = 'outpatient',
): Promise<string> {
  const session = (
    await api('post', '/api/v1/identity/sessions', { desk: devices.desk, visitId, visitKind }).expect(201)
  ).body as { id: string };
  await request(base).post(`/api/v1/sandbox/devices/${devices.card}/present`).send({ person: role }).expect(200);
  await request(base).post(`/api/v1/sandbox/devices/${devices.idCard}/present`).send({ person: role }).expect(200);
  try {
    for (let i = 0; i < 200; i++) {
      const s = (await api('get', `/api/v1/identity/sessions/${session.id}`).expect(200)).body as {
        verdict: string;
        token: string | null;
      };
      if (s.verdict === 'MATCH' && s.token) {
        return s.token;
      }
      if (s.verdict === 'MISMATCH') {
        throw new Error(`expected MATCH for ${visitId} from card + ID card, got MISMATCH`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no MATCH for ${visitId} from card + ID card within 10 s`);
  } finally {
    await request(base).post(`/api/v1/sandbox/devices/${devices.card}/remove`).send({}).expect(200);
  }
}
