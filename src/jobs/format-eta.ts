/**
 * A duration in words for ETAs, rounded to what a person plans with: "about 4 s", "about 3 min",
 * "about 2 h 10 min". Seconds below a minute are kept (4 requests at 1 request/s is "about 4 s",
 * not "about 1 min"); minutes are rounded to the nearest, hours keep their minutes.
 */
export function formatEta(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `about ${s} s`;
  if (s < 3600) return `about ${Math.round(s / 60)} min`;
  const h = Math.floor(s / 3600);
  const min = Math.round((s % 3600) / 60);
  if (min === 60) return `about ${h + 1} h`;
  return min === 0 ? `about ${h} h` : `about ${h} h ${min} min`;
}
