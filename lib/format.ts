const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

/** Dates in the admin UI are shown in UTC, labelled as such. */
export function formatDateTime(date: Date): string {
  return `${dateTime.format(date)} UTC`;
}
