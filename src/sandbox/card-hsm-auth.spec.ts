import { sandboxHsmCardKey } from '../../drivers/protocols/ssse-card-sim-auth';
import { deriveSandboxCardKey, SANDBOX_HSM_SECRET } from './transactions/card-hsm-auth';

describe('the sandbox insurer HSM (1165)', () => {
  it('is the derivation and the secret the drivers card emulator is tested with (drivers/protocols/ssse-card.spec.ts)', () => {
    expect(deriveSandboxCardKey).toBe(sandboxHsmCardKey);
    expect(SANDBOX_HSM_SECRET).toBe('53414e44424f582d48534d2d4b455931');
  });
});
