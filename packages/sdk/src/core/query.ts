/** Query strings: lists comma-separated, dates as ISO 8601, `{gte: x}` as `field[gte]=x`. */

function text(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(text).join(',');
  return String(value);
}

export function queryString(query: object | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)) {
      for (const [operator, operand] of Object.entries(value)) {
        if (operand !== undefined && operand !== null) params.append(`${key}[${operator}]`, text(operand));
      }
    } else {
      params.append(key, text(value));
    }
  }
  const encoded = params.toString();
  return encoded === '' ? '' : `?${encoded}`;
}
