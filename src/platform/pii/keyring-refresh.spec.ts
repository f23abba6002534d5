import { decodeKeyring, generateKeyringDocument, rotateKeyringDocument } from './keyring';
import { KeyringRefresh } from './keyring-refresh';
import { PiiCryptoService } from './pii-crypto.service';

describe(KeyringRefresh.name, () => {
  it('learns the keys a rotated keyring file adds, and survives a file it cannot read', () => {
    const before = generateKeyringDocument('k1');
    let file: () => ReturnType<typeof decodeKeyring> = () => decodeKeyring(before);
    const pii = new PiiCryptoService(decodeKeyring(before), () => file());
    const refresh = new KeyringRefresh(pii);

    expect(refresh.check()).toEqual([]);
    file = () => {
      throw new Error('pii.keyringFile /etc/gateway/keys.json is not readable JSON');
    };
    expect(refresh.check()).toEqual([]);
    expect(pii.keyIds).toEqual(['k1']);

    file = () => decodeKeyring(rotateKeyringDocument(before, { keyId: 'k2' }));
    expect(refresh.check()).toEqual(['k2']);
    expect(pii.keyIds).toEqual(['k1', 'k2']);
    expect(pii.activeKeyId).toBe('k1');
  });

  it('reads the file every 10 s while the gateway runs, and stops at shutdown', () => {
    jest.useFakeTimers();
    try {
      const before = generateKeyringDocument('k1');
      const pii = new PiiCryptoService(decodeKeyring(before), () =>
        decodeKeyring(rotateKeyringDocument(before, { keyId: 'k2' })),
      );
      const refresh = new KeyringRefresh(pii);
      refresh.onModuleInit();
      jest.advanceTimersByTime(9_999);
      expect(pii.keyIds).toEqual(['k1']);
      jest.advanceTimersByTime(1);
      expect(pii.keyIds).toEqual(['k1', 'k2']);
      refresh.onApplicationShutdown();
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});
