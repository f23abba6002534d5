/**
 * Emergency mode as /health reports it: the `upstream` component's `mode` is 'emergency' while the
 * insurer has been unreachable long enough; messages then queue in the outbox.
 */

export interface HealthBody {
  status: string;
  mode: string;
  components: Record<string, { status: string; detail?: string; mode?: string; unreachableSince?: string | null }>;
}

export interface EmergencyState {
  emergency: boolean;
  /** Since when the insurer has been unreachable, as the gateway reported it (ISO), or null. */
  unreachableSince: string | null;
}

export function emergencyOf(health: HealthBody): EmergencyState {
  const upstream = health.components.upstream;
  if (upstream?.mode !== 'emergency') {
    return { emergency: false, unreachableSince: null };
  }
  return { emergency: true, unreachableSince: upstream.unreachableSince ?? null };
}

/** A time as desk staff read it: Beijing time, 2026-12-03 10:30. */
export function beijingTime(iso: string): string {
  const d = new Date(new Date(iso).getTime() + 8 * 3600_000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}
