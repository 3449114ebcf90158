/**
 * Labelled lists with one primary entry (a contact's emails and phones), kept
 * primary-first. `primary` is the mirrored single field (`email`, `phone`);
 * `list` replaces the whole list. Given both, they must agree.
 */
import { invalidFields } from '../../domain/errors.js';

export interface Entry {
  value: string;
  label: string | null;
}

export const MAX_ENTRIES = 20;

export function resolvePrimaryList(
  field: string,
  current: Entry[],
  primary: string | null | undefined,
  list: (Entry & { primary?: boolean | undefined })[] | undefined,
): Entry[] {
  let entries = current;
  if (list !== undefined) {
    const primaries = list.filter((e) => e.primary === true);
    if (primaries.length > 1) throw invalidFields({ [`${field}s`]: `Only one of the ${field}s may be primary.` });
    const ordered = primaries.length === 1 ? [primaries[0] as Entry, ...list.filter((e) => e.primary !== true)] : list;
    const seen = new Set<string>();
    entries = [];
    for (const { value, label } of ordered) {
      if (seen.has(value)) continue;
      seen.add(value);
      entries.push({ value, label });
    }
    if (primary !== undefined && (entries[0]?.value ?? null) !== primary) {
      throw invalidFields({ [field]: `${field} must be the primary entry of ${field}s when both are given.` });
    }
    return entries;
  }
  if (primary === undefined) return entries;
  if (primary === null) return entries.slice(1);
  const existing = entries.find((e) => e.value === primary);
  if (existing) return [existing, ...entries.filter((e) => e !== existing)];
  const next = [{ value: primary, label: entries[0]?.label ?? null }, ...entries.slice(1)];
  if (next.length > MAX_ENTRIES) throw invalidFields({ [`${field}s`]: `A contact may have at most ${MAX_ENTRIES} ${field}s.` });
  return next;
}
