const format = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A timestamp in the reader's time zone, with the exact value in the markup; `fallback` when there is none. */
export function Time({ value, fallback = '—' }: { value: string | null | undefined; fallback?: string }) {
  if (!value) return <>{fallback}</>;
  const date = new Date(value);
  return (
    <time dateTime={value} title={date.toISOString()}>
      {format.format(date)}
    </time>
  );
}
