const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML/SVG content and attribute values: report fields carry alert and person-supplied text. */
export const escapeXml = (text: string): string => text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);

/** Escapes text for a Markdown table cell (pipes and line breaks would break the table). */
export const escapeCell = (text: string | number | undefined): string => String(text ?? '').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
