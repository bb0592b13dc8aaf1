/** Slack mrkdwn treats `&`, `<` and `>` as markup; text from incidents (titles, reasons) is escaped before it is shown. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `2026-05-01T09:30:12.345Z` → `2026-05-01 09:30Z`: enough to read, the same for every reader. */
export function shortTime(iso: string | undefined): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z` : '';
}

/**
 * Splits `text` into pieces of at most `max` characters, at a line end where one is near, never inside an `&...;`
 * entity: long text then spans several blocks instead of being cut.
 */
export function splitText(text: string, max: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const lineEnd = rest.lastIndexOf('\n', max);
    let at = lineEnd > max / 2 ? lineEnd + 1 : max;
    const amp = rest.lastIndexOf('&', at - 1);
    if (amp > at - 6 && !rest.slice(amp, at).includes(';')) at = amp;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at);
  }
  parts.push(rest);
  return parts;
}

/** Slack caps a section's text at 3000 characters. */
export function clip(text: string, max = 2900): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
