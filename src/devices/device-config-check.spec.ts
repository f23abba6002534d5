import { loadConfig } from '../platform';
import type { GatewayConfig } from '../platform';
import { GATEWAY_FEATURES } from '../gateway.features';
import { checkDevices } from './device-config-check';

function withDevices(mode: 'sandbox' | 'production', devices: unknown[]): GatewayConfig {
  return loadConfig({
    features: GATEWAY_FEATURES,
    env: {},
    overrides: {
      mode,
      hospital: {
        fixmedinsCode: 'H64010600001',
        name: '宁夏回族自治区人民医院',
        admdvs: '640106',
        creditCode: '1264000045400281XQ',
      },
      pii: { keyringFile: '/tmp/none.json' },
      devices,
    },
  }).config;
}

describe(checkDevices.name, () => {
  it('accepts each kind on each of its transports', () => {
    const config = withDevices('production', [
      { id: 'a', kind: 'id-card', desk: 'd', path: '/dev/ttyUSB0' },
      { id: 'b', kind: 'scanner', desk: 'd', path: '/dev/ttyACM0', terminator: 'CRLF' },
      { id: 'c', kind: 'scanner', transport: 'hid', desk: 'd', path: '0c2e:0B61' },
      { id: 'e', kind: 'scanner', transport: 'hid', desk: 'd', path: '/dev/hidraw3' },
      { id: 'f', kind: 'ssse-card', desk: 'd', path: 'ACS ACR39U', cardAuth: 'none' },
    ]);
    expect(checkDevices(config)).toEqual([]);
    expect(
      checkDevices(
        withDevices('sandbox', [
          { id: 'g', kind: 'ssse-card', transport: 'simulated', desk: 'd', cardAuth: 'simulated-psam' },
        ]),
      ),
    ).toEqual([]);
  });

  it('names each mistake with the key, the value and what to write instead', () => {
    const issues = checkDevices(
      withDevices('production', [
        { id: 'a', kind: 'id-card', transport: 'hid', desk: 'd', path: '/dev/ttyUSB0' },
        { id: 'a', kind: 'scanner', desk: 'd' },
        { id: 'c', kind: 'scanner', transport: 'hid', desk: 'd', path: 'USB\\VID_0C2E', terminator: 'CR' },
        { id: 'd', kind: 'ssse-card', transport: 'simulated', desk: 'd', cardAuth: 'simulated-psam' },
        { id: 'e', kind: 'id-card', desk: 'd', path: '/dev/ttyUSB1', cardAuth: 'hsm' },
      ]),
    );
    expect(issues).toEqual([
      { key: 'devices[0].transport', value: 'hid', expected: 'for id-card devices one of serial, simulated' },
      { key: 'devices[1].id', value: 'a', expected: 'an id no other device has' },
      { key: 'devices[1].path', value: '', expected: expect.stringContaining('/dev/ttyUSB0') },
      { key: 'devices[2].path', value: 'USB\\VID_0C2E', expected: expect.stringContaining('VID:PID') },
      { key: 'devices[2].terminator', value: 'CR', expected: expect.stringContaining('HID-POS') },
      { key: 'devices[3].transport', value: 'simulated', expected: expect.stringContaining('sandbox') },
      { key: 'devices[3].cardAuth', value: 'simulated-psam', expected: expect.stringContaining('sandbox') },
      { key: 'devices[4].cardAuth', value: 'hsm', expected: 'cardAuth only on ssse-card devices' },
    ]);
  });

  it('takes devices on desk agents, but not a card reader that would need the insurer’s HSM there', () => {
    const config = withDevices('production', [
      { id: 'a', kind: 'scanner', desk: '西药房2', host: 'agent', path: 'COM3' },
      { id: 'b', kind: 'ssse-card', desk: '门诊挂号3', host: 'agent', path: 'ACS ACR39U', cardAuth: 'none' },
      { id: 'c', kind: 'ssse-card', desk: '门诊挂号3', host: 'agent', path: 'ACS ACR39U' },
    ]);
    expect(checkDevices(config)).toEqual([
      { key: 'devices[2].cardAuth', value: 'hsm (the default)', expected: expect.stringContaining('agent link') },
    ]);
    expect(() =>
      withDevices('production', [{ id: 'd', kind: 'scanner', desk: 'd', host: 'desk-pc', path: 'COM3' }]),
    ).toThrow(/host/);
  });
});
