/**
 * The IT device calls (docs/devices.md, scope `admin`): the configured devices, what is attached to
 * the gateway's machine, and a test read that waits for the next card or scan at one device.
 */
import type { ApiClient } from './client';
import type { TestReadResultDto } from '../lib/device-snippet';

export type { TestReadResultDto };

/** GET /api/v1/devices (DeviceViewDto). */
export interface DeviceViewDto {
  id: string;
  kind: string;
  transport: string;
  host: string;
  desk: string;
  path: string | null;
  state: string;
  message: string;
  since: string;
}

/** One part of the discovery: what was found, or why nothing could be looked for (DiscoverySectionDto). */
export interface DiscoverySectionDto<T> {
  ok: boolean;
  items?: T[];
  note?: string;
  message?: string;
}

export interface SerialFound {
  path: string;
  manufacturer?: string;
  vendorId?: string;
  productId?: string;
}

export interface HidFound {
  vidPid: string;
  path: string;
  description: string;
  hidPos: boolean;
}

/** GET /api/v1/devices/discovery (DiscoveryDto). */
export interface DiscoveryDto {
  serial: DiscoverySectionDto<SerialFound>;
  hid: DiscoverySectionDto<HidFound>;
  pcsc: DiscoverySectionDto<{ name: string }>;
}

const DEVICES = '/api/v1/devices';

export function listDevices(client: ApiClient): Promise<DeviceViewDto[]> {
  return client.get<DeviceViewDto[]>(DEVICES);
}

export function discoverDevices(client: ApiClient): Promise<DiscoveryDto> {
  return client.get<DiscoveryDto>(`${DEVICES}/discovery`);
}

export function testRead(client: ApiClient, id: string, waitSeconds: number): Promise<TestReadResultDto> {
  return client.post<TestReadResultDto>(`${DEVICES}/${encodeURIComponent(id)}/test-read`, { waitSeconds });
}
