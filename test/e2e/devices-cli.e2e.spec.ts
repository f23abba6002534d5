import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAMPLE_ID_CARD } from '../../drivers/readers/id-card-reader.contract';
import { transportLine } from '../../drivers/simulators/fake-device-line';
import { IdCardSimulator } from '../../drivers/simulators/id-card-simulator';
import { NodeSerialTransport } from '../../drivers/transports/node-serial-transport';
import { SEED } from '../../src/sandbox/seed-people';
import { eventually } from '../support/eventually';
import { startGatewayProcess } from '../support/gateway-process';
import { PtyPair, socatAvailable, startPtyPair } from '../support/socat';
import { cli, hospitalYaml } from '../support/cli-run';

// Devices, processes and the insurer's HSM step on a loaded 2-core CI machine: waits are bounded by `eventually`.
jest.setTimeout(60_000);

function hospitalConfig(dir: string, devices: string): string {
  return hospitalYaml(dir, `devices:\n${devices}`);
}

describe('devices and simulate commands', () => {
  const hasSocat = socatAvailable();
  const dir = mkdtempSync(join(tmpdir(), 'gw-devices-cli-'));
  let pair: PtyPair | undefined;

  beforeAll(async () => {
    pair = hasSocat ? await startPtyPair(dir, 'idcard') : undefined;
  });
  afterAll(async () => {
    await pair?.stop();
  });

  it('devices list shows the configured devices and what is attached, each kind of attachment on its own', async () => {
    const config = hospitalConfig(
      dir,
      `  - { id: desk1-idcard, kind: id-card, desk: 门诊挂号1, path: /dev/ttyUSB7 }
  - { id: desk1-card, kind: ssse-card, desk: 门诊挂号1, path: "ACS ACR39U" }
  - { id: pharmacy-scanner, kind: scanner, transport: hid, desk: 西药房1, path: "0c2e:0b61" }`,
    );
    const r = await cli(['devices', 'list', '--config', config]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/desk1-idcard\s+id-card\s+serial\s+\/dev\/ttyUSB7\s+门诊挂号1/);
    expect(r.out).toMatch(/desk1-card\s+ssse-card\s+pcsc\s+ACS ACR39U/);
    expect(r.out).toMatch(/pharmacy-scanner\s+scanner\s+hid\s+0c2e:0b61/);
    // Each section either lists what it found or says why it could not look.
    expect(r.out).toMatch(/Serial ports( \(\d+\):|: could not look)/);
    expect(r.out).toMatch(/HID devices \(path: VID:PID\)( \(\d+\):|: could not look)/);
    expect(r.out).toMatch(/PC\/SC readers \(path: the name\)( \(\d+\):|: could not look)/);
  });

  (hasSocat ? it : it.skip)(
    'devices test opens an ID-card reader on a real serial line, waits for a card and prints it masked (needs socat)',
    async () => {
      const { hostPath, devicePath } = pair as PtyPair;
      const config = hospitalConfig(dir, `  - { id: desk1-idcard, kind: id-card, desk: 门诊挂号1, path: ${hostPath} }`);
      const device = new NodeSerialTransport({ path: devicePath, baudRate: 115200 });
      await device.open();
      try {
        new IdCardSimulator(transportLine(device)).present(SAMPLE_ID_CARD);
        const r = await cli(['devices', 'test', 'desk1-idcard', '--wait', '10', '--config', config]);
        expect(r.err).toBe('');
        expect(r.code).toBe(0);
        expect(r.out).toContain('请将身份证放在阅读器上');
        expect(r.out).toContain('Read: ID card of 买*****, 640105********2158, valid until 2036-03-01');
        expect(r.out).not.toContain(SAMPLE_ID_CARD.idNumber);
        expect(r.out).not.toContain(SAMPLE_ID_CARD.name);
      } finally {
        await device.close();
      }
    },
  );

  it('devices test on a port that is not there says what to check and fails', async () => {
    const config = hospitalConfig(
      dir,
      `  - { id: desk1-idcard, kind: id-card, desk: 门诊挂号1, path: ${join(dir, 'no-such-port')} }`,
    );
    const r = await cli(['devices', 'test', 'desk1-idcard', '--wait', '2', '--config', config]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('The device is not working');
    expect(r.out).toContain('不存在');
    const unknown = await cli(['devices', 'test', 'nope', '--config', config]);
    expect(unknown).toMatchObject({ code: 2, err: expect.stringContaining('no device "nope"') });
    const wait = await cli(['devices', 'test', 'desk1-idcard', '--wait', '0', '--config', config]);
    expect(wait).toMatchObject({ code: 2, err: expect.stringContaining('--wait') });
  });

  it('simulate presents a seed person’s card at the running sandbox, and devices status shows the read', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'gw-sandbox-'));
    const env = {
      GW_SERVER__PORT: '0',
      GW_SANDBOX_INSURER__PORT: '0',
      GW_DATA_DIR: join(cwd, 'data'),
      GW_DATABASE__URL: `sqlite:${join(cwd, 'data', 'sandbox.sqlite')}`,
      GW_PII__KEYRING_FILE: join(cwd, 'data', 'keys', 'pii-keyring.json'),
      GW_LOGGING__LEVEL: 'warn',
    };
    const gateway = startGatewayProcess(['--sandbox'], cwd, env);
    try {
      const url = await gateway.listening;
      const presented = await cli(
        ['simulate', 'present', 'desk1-card', '--person', 'activeFingers', '--url', url],
        env,
      );
      expect(presented).toMatchObject({
        code: 0,
        out: `desk1-card (ssse-card): presented ${SEED.activeFingers.psn_name}\n`,
      });
      const key = await cli(
        ['apikey', 'create', '--sandbox', '--name', 'IT', '--scopes', 'admin', '--expires-in', '30d'],
        env,
      );
      const token = /gwk_\S+/.exec(key.out)?.[0] as string;
      let status = { code: -1, out: '', err: '' };
      await eventually(
        async () => {
          status = await cli(['devices', 'status', '--sandbox', '--url', url], { ...env, GATEWAY_API_KEY: token });
          return status.out.includes('社保卡已读取');
        },
        'the read to show in devices status',
        15_000,
      );
      expect(status.code).toBe(0);
      expect(status.out).toMatch(/desk1-idcard\s+id-card\s+waiting/);
      const noKey = await cli(['devices', 'status', '--sandbox', '--url', url], env);
      expect(noKey).toMatchObject({ code: 2, err: expect.stringContaining('GATEWAY_API_KEY') });
      const nobody = await cli(['simulate', 'present', 'desk1-card', '--person', 'nobody', '--url', url], env);
      expect(nobody).toMatchObject({ code: 2, err: expect.stringContaining('SEED_PERSON_NOT_FOUND') });
      expect((await cli(['simulate', 'remove', 'desk1-card', '--url', url], env)).out).toBe(
        'desk1-card: card taken away\n',
      );
      expect((await cli(['simulate', 'unplug', 'desk1-idcard', '--url', url], env)).out).toBe(
        'desk1-idcard (id-card): unplugged\n',
      );
      await eventually(
        async () => {
          status = await cli(['devices', 'status', '--sandbox', '--url', url], { ...env, GATEWAY_API_KEY: token });
          return /desk1-idcard\s+id-card\s+disconnected/.test(status.out);
        },
        'the unplugged reader to show disconnected',
        15_000,
      );
      const twice = await cli(['simulate', 'unplug', 'desk1-idcard', '--url', url], env);
      expect(twice).toMatchObject({ code: 2, err: expect.stringContaining('SIMULATION_ALREADY_UNPLUGGED') });
      expect((await cli(['simulate', 'replug', 'desk1-idcard', '--url', url], env)).out).toBe(
        'desk1-idcard (id-card): plugged in again\n',
      );
      await eventually(
        async () => {
          status = await cli(['devices', 'status', '--sandbox', '--url', url], { ...env, GATEWAY_API_KEY: token });
          return /desk1-idcard\s+id-card\s+waiting/.test(status.out);
        },
        'the reader to work again after replug',
        15_000,
      );
    } finally {
      gateway.child.kill('SIGTERM');
      await gateway.exit;
    }
    const down = await cli(['simulate', 'remove', 'desk1-card', '--url', 'http://127.0.0.1:9'], env);
    expect(down).toMatchObject({ code: 2, err: expect.stringContaining('does not answer') });
  });
});
