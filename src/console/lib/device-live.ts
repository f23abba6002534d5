/**
 * The IT device list kept live from the all-desks WebSocket: the `hello` of every (re)connection
 * gives each device's state as it is now, and each `status` event changes one device's state and
 * message. Framework-free, so the page only renders what this returns.
 */

export interface LiveDevice {
  id: string;
  state: string;
  message: string;
  since: string;
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** The list after one WebSocket message; the same array when the message changes nothing. */
export function applyDeviceMessage<T extends LiveDevice>(devices: T[], message: unknown): T[] {
  if (typeof message !== 'object' || message === null) {
    return devices;
  }
  const event = message as Record<string, unknown>;
  if (event.type === 'hello' && Array.isArray(event.devices)) {
    const now = new Map<string, Record<string, unknown>>();
    for (const d of event.devices as unknown[]) {
      if (typeof d === 'object' && d !== null && typeof (d as { id?: unknown }).id === 'string') {
        now.set((d as { id: string }).id, d as Record<string, unknown>);
      }
    }
    return devices.map((d) => {
      const seen = now.get(d.id);
      return seen
        ? {
            ...d,
            state: str(seen.state) ?? d.state,
            message: str(seen.message) ?? d.message,
            since: str(seen.since) ?? d.since,
          }
        : d;
    });
  }
  if (event.type === 'status' && typeof event.deviceId === 'string') {
    if (!devices.some((d) => d.id === event.deviceId)) {
      return devices;
    }
    return devices.map((d) =>
      d.id === event.deviceId
        ? {
            ...d,
            state: str(event.state) ?? d.state,
            message: str(event.message) ?? '',
            since: str(event.at) ?? d.since,
          }
        : d,
    );
  }
  return devices;
}
