import type { GatewayFeature } from '../platform';
import { checkDevices } from './device-config-check';
import { DeviceConfig } from './devices.config';
import { DEVICE_ERRORS } from './devices.errors';

export const DEVICES_FEATURE: GatewayFeature = {
  name: 'devices',
  config: [{ key: 'devices', type: DeviceConfig, listMessage: 'expected a list of devices' }],
  checkConfig: (config) => ({ issues: checkDevices(config), warnings: [] }),
  errors: [DEVICE_ERRORS],
};
