import type { GatewayFeature } from '../platform';
import { checkDevices } from './device-config-check';
import { DeviceConfig } from './devices.config';

export const DEVICES_FEATURE: GatewayFeature = {
  name: 'devices',
  config: [{ key: 'devices', type: DeviceConfig, listMessage: 'expected a list of devices' }],
  checkConfig: (config) => ({ issues: checkDevices(config), warnings: [] }),
};
