import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { IdCardReader, DEFAULT_ID_CARD_READER_OPTIONS } from '../../drivers/readers/id-card-reader';
import { ScannerReader, DEFAULT_SCANNER_OPTIONS } from '../../drivers/readers/scanner-reader';
import type { DeviceStatus } from '../../drivers/readers/device-status';
import { NodeSerialTransport } from '../../drivers/transports/node-serial-transport';
import { DeviceConfig, GatewayConfig } from '../platform/config/gateway-config';
import { DeviceEvents } from './device-events';

export interface DeviceView {
  id: string;
  kind: DeviceConfig['kind'];
  desk: string;
  path: string;
  status: DeviceStatus;
}

type Reader = IdCardReader | ScannerReader;

/**
 * The devices declared in config, each driven by its reader from drivers/. A device that cannot
 * be opened sits in error status with a message and keeps retrying; the others are not affected.
 */
@Injectable()
export class DeviceRegistry implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DeviceRegistry.name);
  private readonly devices = new Map<string, { config: DeviceConfig; reader: Reader }>();

  constructor(
    private readonly config: GatewayConfig,
    private readonly events: DeviceEvents,
  ) {}

  onApplicationBootstrap(): void {
    for (const device of this.config.devices) {
      const reader = this.createReader(device);
      this.devices.set(device.id, { config: device, reader });
      reader.on('status', (status) => {
        this.events.publish({ type: 'status', deviceId: device.id, desk: device.desk, status });
        if (status.state === 'error' || status.state === 'disconnected') {
          this.logger.warn(`${device.id} (${device.path}): ${status.message}`);
        }
      });
      reader.start();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.devices.values()].map((d) => d.reader.stop()));
  }

  list(): DeviceView[] {
    return [...this.devices.values()].map(({ config, reader }) => ({ id: config.id, kind: config.kind, desk: config.desk, path: config.path, status: reader.status }));
  }

  private createReader(device: DeviceConfig): Reader {
    const transport = new NodeSerialTransport({ path: device.path, baudRate: device.baudRate ?? 115200 });
    switch (device.kind) {
      case 'id-card': {
        const reader = new IdCardReader(transport, DEFAULT_ID_CARD_READER_OPTIONS);
        reader.on('card', (read) => this.events.publish({ type: 'id-card', deviceId: device.id, desk: device.desk, read }));
        return reader;
      }
      case 'scanner': {
        const reader = new ScannerReader(transport, {
          ...DEFAULT_SCANNER_OPTIONS,
          framing: { ...DEFAULT_SCANNER_OPTIONS.framing, terminator: device.terminator ?? 'CR' },
        });
        reader.on('scan', (scan) => this.events.publish({ type: 'scan', deviceId: device.id, desk: device.desk, scan, source: 'device' }));
        return reader;
      }
    }
  }
}
