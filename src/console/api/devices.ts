/**
 * The IT device calls (docs/devices.md, scope `admin`): the configured devices, what is attached to
 * the gateway's machine, and a test read that waits for the next card or scan at one device.
 */
import type { ApiClient } from './client';
import type { Schemas } from './openapi.generated';
import type { TestReadResultDto } from '../lib/device-snippet';

export type { TestReadResultDto };

/** GET /api/v1/devices (DeviceViewDto). */
export type DeviceViewDto = Schemas['DeviceViewDto'];

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
/**
 * GET /api/v1/devices/discovery. The document declares one section type for all three (its items
 * untyped), so the page reads each section's items as what that section lists.
 */
export interface DiscoveryDto {
  serial: DiscoverySectionDto<SerialFound>;
  hid: DiscoverySectionDto<HidFound>;
  pcsc: DiscoverySectionDto<{ name: string }>;
}

export function listDevices(client: ApiClient): Promise<DeviceViewDto[]> {
  return client.call('GET /api/v1/devices');
}

export function discoverDevices(client: ApiClient): Promise<DiscoveryDto> {
  return client.call('GET /api/v1/devices/discovery') as Promise<unknown> as Promise<DiscoveryDto>;
}

export function testRead(client: ApiClient, id: string, waitSeconds: number): Promise<TestReadResultDto> {
  return client.call('POST /api/v1/devices/{id}/test-read', { path: { id }, body: { waitSeconds } });
}
