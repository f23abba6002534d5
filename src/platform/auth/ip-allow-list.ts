import { BlockList, isIP } from 'node:net';

/** Accepts `10.1.2.3`, `10.1.0.0/16`, `::1`, `fd00::/8`. Returns why an entry is wrong, or undefined. */
export function checkAllowEntry(entry: string): string | undefined {
  const [address, prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) {
    return `${entry} is not an IP address or CIDR range (e.g. 10.20.0.15 or 10.20.0.0/24)`;
  }
  if (prefix !== undefined) {
    const bits = Number(prefix);
    const max = family === 4 ? 32 : 128;
    if (!/^\d{1,3}$/.test(prefix) || bits > max) {
      return `${entry} has a prefix length outside 0..${max}`;
    }
  }
  return undefined;
}

/** IPv4 clients on a dual-stack socket appear as ::ffff:a.b.c.d. */
export function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

export function buildAllowList(entries: string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) {
      list.addAddress(address, type);
    } else {
      list.addSubnet(address, Number(prefix), type);
    }
  }
  return list;
}

export function ipAllowed(ip: string, entries: string[] | null): boolean {
  if (!entries || entries.length === 0) {
    return true;
  }
  const normalized = normalizeIp(ip);
  const type = isIP(normalized) === 6 ? 'ipv6' : 'ipv4';
  return isIP(normalized) !== 0 && buildAllowList(entries).check(normalized, type);
}

/** 127.0.0.0/8 or ::1 (also as ::ffff:127.x.y.z): a caller on this machine. */
export function isLoopback(ip: string): boolean {
  const normalized = normalizeIp(ip);
  return normalized === '::1' || (isIP(normalized) === 4 && normalized.startsWith('127.'));
}
