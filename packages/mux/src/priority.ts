/**
 * Extensible priorities (RFC 9218): urgency 0 (highest) to 7, default 3, and the incremental flag,
 * carried by the `priority` request header and PRIORITY_UPDATE frames.
 */

/** A stream's priority. `explicit` is false when no signal was ever received. */
export interface Priority {
  urgency: number;
  incremental: boolean;
  explicit: boolean;
}

/** "u=3" and not incremental, for streams that never signalled (RFC 9218 §4). */
export const DEFAULT_PRIORITY: Readonly<Priority> = { urgency: 3, incremental: false, explicit: false };

/**
 * Parse a Priority field value (an RFC 8941 Dictionary; only `u` and `i` matter, other keys and
 * invalid members are ignored as §4 requires). Returns undefined for an empty or unusable value.
 */
export function parsePriority(value: string): Priority | undefined {
  let urgency = DEFAULT_PRIORITY.urgency;
  let incremental = DEFAULT_PRIORITY.incremental;
  let seen = false;
  for (const member of value.split(',')) {
    const [rawKey, rawValue] = member.split('=', 2) as [string, string | undefined];
    const key = rawKey.trim().split(';')[0]!;
    const v = rawValue?.trim().split(';')[0];
    if (key === 'u') {
      const n = v === undefined ? Number.NaN : Number(v);
      if (Number.isInteger(n) && n >= 0 && n <= 7 && /^\d$/.test(v!)) {
        urgency = n;
        seen = true;
      }
    } else if (key === 'i') {
      if (v === undefined || v === '?1') {
        incremental = true;
        seen = true;
      } else if (v === '?0') {
        incremental = false;
        seen = true;
      }
    }
  }
  return seen ? { urgency, incremental, explicit: true } : undefined;
}

/** Serialize a priority as a field value ("u=1, i"), omitting defaults. */
export function formatPriority(p: { urgency?: number; incremental?: boolean }): string {
  const parts: string[] = [];
  if (p.urgency !== undefined && p.urgency !== 3) parts.push(`u=${p.urgency}`);
  if (p.incremental === true) parts.push('i');
  return parts.join(', ');
}
