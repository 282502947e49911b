// Job times are naive UTC `timestamp(6)` columns. They are written as text ("2024-05-01 09:00:00.123")
// rather than as Date bindings, because pg would render a Date in the server process's local zone,
// and read back as the text Postgres printed (see the type parsers in core/db/connect.ts).

export function toDbTime(date: Date): string {
  return date.toISOString().slice(0, 23).replace('T', ' ');
}

export function fromDbTime(value: string): Date;
export function fromDbTime(value: string | null | undefined): Date | null;
export function fromDbTime(value: string | null | undefined): Date | null {
  if (value == null) return null;
  const [date, time = '00:00:00'] = String(value).replace('T', ' ').split(' ');
  const [hms, fraction = ''] = time.split('.');
  const millis = fraction.padEnd(3, '0').slice(0, 3);
  return new Date(`${date}T${hms}.${millis}Z`);
}

export function addMs(date: Date, ms: number): Date {
  return new Date(date.getTime() + ms);
}
