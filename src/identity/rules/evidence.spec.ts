import { addEvidence, emptyEvidence, presentSources, withoutEvidence } from './evidence';
import {
  cardRead,
  idCardRead,
  qrDecoded,
  SEED,
  staffConfirmed,
  UNREACHABLE,
} from '../../../test/support/identity-fixtures';

describe('session evidence', () => {
  it('grows one source at a time without changing the earlier object', () => {
    const e0 = emptyEvidence();
    const e1 = addEvidence(e0, 'card', cardRead(SEED.activeFingers));
    const e2 = addEvidence(e1, 'insurer', UNREACHABLE);
    expect(e0).toEqual({});
    expect(presentSources(e1)).toEqual(['card']);
    expect(presentSources(e2)).toEqual(['card', 'insurer']);
  });

  it('replaces a source when it arrives again (a second card read, a rescanned QR code)', () => {
    const first = qrDecoded(SEED.activeFingers, 1_000);
    const second = qrDecoded(SEED.activeFingers, 50_000);
    const e = addEvidence(addEvidence(emptyEvidence(), 'qr', first), 'qr', second);
    expect(e.qr).toBe(second);
  });

  it('withdraws one source and keeps the others', () => {
    const e = addEvidence(
      addEvidence(addEvidence(emptyEvidence(), 'staff', staffConfirmed()), 'card', cardRead(SEED.expiredCard)),
      'idCard',
      idCardRead(SEED.expiredCard),
    );
    const without = withoutEvidence(e, 'card');
    expect(presentSources(without)).toEqual(['idCard', 'staff']);
    expect(presentSources(e)).toEqual(['card', 'idCard', 'staff']);
  });
});
