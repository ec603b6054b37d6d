/** Reading processors' JSON answers, where anything may arrive. */

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Absent and null both mean "not given"; anything but a string is a broken answer. */
export function optionalString(value: unknown): { ok: true; value?: string } | { ok: false } {
  if (value === undefined || value === null) return { ok: true };
  return typeof value === 'string' ? { ok: true, value } : { ok: false };
}

/** Absent and null both mean "not given"; anything but a whole number of at least 0 is a broken answer. */
export function optionalAmount(value: unknown): { ok: true; value?: number } | { ok: false } {
  if (value === undefined || value === null) return { ok: true };
  return Number.isSafeInteger(value) && (value as number) >= 0 ? { ok: true, value: value as number } : { ok: false };
}
