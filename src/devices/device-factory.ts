import { buildCardImage, CardEmulator } from '../../drivers/protocols/ssse-card-image';
import type { CardAuthenticator, SsseCard } from '../../drivers/protocols/ssse-card';
import { SimulatedPsam } from '../../drivers/protocols/ssse-card-sim-auth';
import type { IdCardTextFields } from '../../drivers/protocols/id-card-frame';
import { HID_POS_USAGE_PAGE } from '../../drivers/protocols/hid-pos';
import { HidScannerReader } from '../../drivers/readers/hid-scanner-reader';
import { DEFAULT_ID_CARD_READER_OPTIONS, IdCardReader } from '../../drivers/readers/id-card-reader';
import { DEFAULT_SCANNER_OPTIONS, ScannerReader } from '../../drivers/readers/scanner-reader';
import { DEFAULT_SSSE_CARD_READER_OPTIONS, SsseCardReader } from '../../drivers/readers/ssse-card-reader';
import { DeviceLine, IdCardSimulator } from '../../drivers/simulators/id-card-simulator';
import { ScannerSimulator } from '../../drivers/simulators/scanner-simulator';
import { FakePcscReader, FakePcscSystem, FakePcscTransport } from '../../drivers/transports/fake-pcsc-transport';
import { FakeSerialLine, FakeSerialPort } from '../../drivers/transports/fake-serial-transport';
import { NodeHidTransport } from '../../drivers/transports/node-hid-transport';
import { NodeSerialTransport } from '../../drivers/transports/node-serial-transport';
import { PcscliteTransport } from '../../drivers/transports/pcsclite-transport';
import { DeviceConfig, deviceTransport } from './devices.config';
import type { DeviceEvent } from './device-events';

export type DeviceReader = IdCardReader | ScannerReader | HidScannerReader | SsseCardReader;

/**
 * What a simulated device lets a demo or a test do: the same actions a person does at a real
 * one. The bytes still go through the real driver (fake line or fake PC/SC below it).
 */
export type DeviceSimulation = Pluggable &
  (
    | { kind: 'id-card'; present(fields: IdCardTextFields): void; remove(): void }
    | { kind: 'scanner'; scan(text: string, aim?: string): Promise<void> }
    | { kind: 'ssse-card'; insert(card: SsseCard, generation: 2 | 3): void; remove(): void }
  );

/**
 * The cable of a simulated device: unplugged, its port (or PC/SC reader) is gone from the fake
 * transport exactly as a pulled USB cable takes a real one away, so the real driver reports
 * disconnected and reconnects by itself once it is plugged in again.
 */
export interface Pluggable {
  isPlugged(): boolean;
  /** Pull the cable. */
  unplug(): void;
  /** Plug it in again (an empty reader: a card that was in it has to be put in again). */
  replug(): void;
}

export interface BuiltDevice {
  reader: DeviceReader;
  simulation?: DeviceSimulation;
}

export interface DeviceFactoryDeps {
  /** The insurer's HSM step (1165), when an insurer link exists. */
  hsm?: CardAuthenticator;
  /** Secret of the sandbox insurer's HSM, so simulated 3rd-generation cards accept its keys. */
  sandboxHsmSecret?: string;
  publish(event: DeviceEvent): void;
}

/**
 * Builds the driver for one configured device over the transport the config names, and wires
 * its reads to the event bus. For `simulated` devices the driver runs over in-memory transports
 * with a simulator at the other end.
 */
export function buildDevice(device: DeviceConfig, deps: DeviceFactoryDeps): BuiltDevice {
  const transport = deviceTransport(device);
  const path = device.path ?? `simulated:${device.id}`;
  switch (device.kind) {
    case 'id-card': {
      let line: FakeSerialLine | undefined;
      let simulation: DeviceSimulation | undefined;
      if (transport === 'simulated') {
        line = new FakeSerialLine();
        const cable = serialCable(line, path);
        const simulator = new IdCardSimulator(cable.line);
        simulation = {
          ...cable.pluggable,
          kind: 'id-card',
          present: (fields) => simulator.present(fields),
          remove: () => simulator.remove(),
        };
      }
      const reader = new IdCardReader(
        line ? line.transport(path) : new NodeSerialTransport({ path, baudRate: device.baudRate ?? 115200 }),
        DEFAULT_ID_CARD_READER_OPTIONS,
      );
      reader.on('card', (read) => deps.publish({ type: 'id-card', deviceId: device.id, desk: device.desk, read }));
      return { reader, simulation };
    }
    case 'scanner': {
      let reader: ScannerReader | HidScannerReader;
      let simulation: DeviceSimulation | undefined;
      if (transport === 'hid') {
        reader = new HidScannerReader(new NodeHidTransport({ path, usagePage: HID_POS_USAGE_PAGE }));
      } else {
        const terminator = device.terminator ?? 'CR';
        let line: FakeSerialLine | undefined;
        if (transport === 'simulated') {
          line = new FakeSerialLine();
          const cable = serialCable(line, path);
          const simulator = new ScannerSimulator(cable.line, terminator);
          simulation = { ...cable.pluggable, kind: 'scanner', scan: (text, aim) => simulator.scan(text, { aim }) };
        }
        reader = new ScannerReader(
          line ? line.transport(path) : new NodeSerialTransport({ path, baudRate: device.baudRate ?? 115200 }),
          {
            ...DEFAULT_SCANNER_OPTIONS,
            framing: { ...DEFAULT_SCANNER_OPTIONS.framing, terminator },
          },
        );
      }
      reader.on('scan', (scan) =>
        deps.publish({ type: 'scan', deviceId: device.id, desk: device.desk, scan, source: 'device' }),
      );
      return { reader, simulation };
    }
    case 'ssse-card': {
      const authenticator = cardAuthenticator(device, deps);
      let simulation: DeviceSimulation | undefined;
      let slot: PcscliteTransport | FakePcscTransport;
      if (transport === 'simulated') {
        const system = new FakePcscSystem();
        let fakeReader: FakePcscReader | undefined = system.plugReader(path);
        slot = new FakePcscTransport(path, system);
        const pluggable: Pluggable = {
          isPlugged: () => fakeReader !== undefined,
          unplug: () => {
            if (fakeReader !== undefined) {
              fakeReader = undefined;
              system.unplugReader(path);
            }
          },
          replug: () => {
            fakeReader ??= system.plugReader(path);
          },
        };
        simulation = {
          ...pluggable,
          kind: 'ssse-card',
          insert: (card, generation) => {
            if (fakeReader === undefined) {
              throw new Error(`reader ${path} is unplugged`);
            }
            fakeReader.remove();
            fakeReader.insert(
              new CardEmulator(buildCardImage(card, { generation }), {
                hsmSecret: device.cardAuth === 'simulated-psam' ? undefined : deps.sandboxHsmSecret,
              }),
            );
          },
          remove: () => fakeReader?.remove(),
        };
      } else {
        slot = new PcscliteTransport(path);
      }
      const reader = new SsseCardReader(slot, { ...DEFAULT_SSSE_CARD_READER_OPTIONS, authenticator });
      reader.on('card', (read) => deps.publish({ type: 'ssse-card', deviceId: device.id, desk: device.desk, read }));
      return { reader, simulation };
    }
  }
}

/**
 * A simulator's end of a fake serial line that can be unplugged and plugged in again: while
 * unplugged the port does not exist (opening it fails NOT_FOUND, as for a real missing port) and
 * what the device sends goes nowhere; plugged in again, the simulator answers on the new port.
 */
function serialCable(line: FakeSerialLine, path: string): { line: DeviceLine; pluggable: Pluggable } {
  let port: FakeSerialPort | undefined = line.plug(path);
  const receivers: ((chunk: Buffer) => void)[] = [];
  return {
    line: {
      send: (bytes) => port?.send(bytes),
      onReceive: (listener) => {
        receivers.push(listener);
        port?.onHostData(listener);
      },
    },
    pluggable: {
      isPlugged: () => port !== undefined,
      unplug: () => {
        const was = port;
        port = undefined;
        was?.unplug();
      },
      replug: () => {
        if (port === undefined) {
          const plugged = line.plug(path);
          for (const receiver of receivers) {
            plugged.onHostData(receiver);
          }
          port = plugged;
        }
      },
    },
  };
}

function cardAuthenticator(device: DeviceConfig, deps: DeviceFactoryDeps): CardAuthenticator | undefined {
  switch (device.cardAuth ?? 'hsm') {
    case 'hsm':
      return deps.hsm;
    case 'simulated-psam':
      return new SimulatedPsam();
    case 'none':
      return undefined;
  }
}
