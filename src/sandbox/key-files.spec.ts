import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSm2Keys } from '../upstream/protocol/sm2-signer';
import { loadGatewayKeys, loadOrCreateInsurerKeys, parseSandboxArgs } from './key-files';

describe('standalone sandbox files and arguments', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandbox-insurer-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the insurer key pair once, mode 0600, and reads it back', () => {
    const keysDir = join(dir, 'data', 'sandbox-insurer');
    const first = loadOrCreateInsurerKeys(keysDir, new Date('2026-11-25T02:00:00Z'));
    expect(first.created).toBe(true);
    expect(statSync(join(keysDir, 'keys.json')).mode & 0o777).toBe(0o600);
    const second = loadOrCreateInsurerKeys(keysDir, new Date());
    expect(second).toEqual({ keys: first.keys, created: false, warning: undefined });
    expect(JSON.parse(readFileSync(join(keysDir, 'keys.json'), 'utf8'))).toMatchObject({
      createdAt: '2026-11-25T02:00:00.000Z',
    });
  });

  it('merges gateway-keys.json with --gateway-key pairs and refuses bad keys', () => {
    const a = generateSm2Keys().publicKey;
    const b = generateSm2Keys().publicKey;
    expect(loadGatewayKeys(dir, [])).toEqual({});
    writeFileSync(join(dir, 'gateway-keys.json'), JSON.stringify({ 'gw-a': a, 'gw-b': a }));
    expect(loadGatewayKeys(dir, [`gw-b=${b}`])).toEqual({ 'gw-a': a, 'gw-b': b });
    expect(() => loadGatewayKeys(dir, ['gw-c=04abc'])).toThrow(
      '--gateway-key: key of gw-c is not an uncompressed SM2 public key',
    );
    expect(() => loadGatewayKeys(dir, [b])).toThrow('--gateway-key expects <cainfo>=<public key hex>');
    const gatewayKeyFile = join(dir, 'gateway-signing.json');
    writeFileSync(gatewayKeyFile, JSON.stringify({ id: 'gw-c', ...generateSm2Keys() }));
    const c = (JSON.parse(readFileSync(gatewayKeyFile, 'utf8')) as { publicKey: string }).publicKey;
    expect(loadGatewayKeys(dir, [], [gatewayKeyFile])).toEqual({ 'gw-a': a, 'gw-b': a, 'gw-c': c });
  });

  it('parses arguments with defaults and refuses unknown ones', () => {
    expect(parseSandboxArgs([])).toEqual({
      host: '127.0.0.1',
      port: 8090,
      controlPort: 8091,
      dataDir: 'data/sandbox-insurer',
      gatewayKeys: [],
      gatewayKeyFiles: [],
    });
    expect(parseSandboxArgs(['--port', '0', '--host', '0.0.0.0', '--gateway-key', 'x=y'])).toMatchObject({
      port: 0,
      controlPort: 0,
      host: '0.0.0.0',
      gatewayKeys: ['x=y'],
    });
    expect(() => parseSandboxArgs(['--port', 'http'])).toThrow('--port must be a number 0..65535, got http');
    expect(() => parseSandboxArgs(['--verbose', 'yes'])).toThrow('unknown option --verbose');
    expect(() => parseSandboxArgs(['--port'])).toThrow('--port needs a value');
  });
});
