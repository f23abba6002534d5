/** What a device is doing, for IT staff: one state and a human message. */
export type DeviceState = 'connecting' | 'connected' | 'waiting' | 'reading' | 'disconnected' | 'error';

export interface DeviceStatus {
  state: DeviceState;
  /** Chinese, for the console: what is happening or what to check. */
  message: string;
  at: Date;
}
