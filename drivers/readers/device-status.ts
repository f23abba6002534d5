/**
 * What a device is doing, for IT staff: one state and a human message.
 * 'authentication-required': a social-security card reader read a 3rd-generation card only in
 * part, because the PSAM/HSM authentication its protected fields need was missing or failed.
 */
export type DeviceState =
  'connecting' | 'connected' | 'waiting' | 'reading' | 'authentication-required' | 'disconnected' | 'error';

export interface DeviceStatus {
  state: DeviceState;
  /** Chinese, for the console: what is happening or what to check. */
  message: string;
  at: Date;
}
