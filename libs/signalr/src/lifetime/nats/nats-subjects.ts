/**
 * A channel name as a NATS subject: the core's `:` separators become `.`,
 * and every other character a subject may not hold (`.`, `*`, `>`, spaces…)
 * is escaped as `~` and its UTF-8 bytes in hex; an empty part is `~`. Two
 * channels never map to one subject.
 */
export function channelSubject(channel: string): string {
  return channel
    .split(':')
    .map((part) => (part === '' ? '~' : part.replace(/[^A-Za-z0-9_-]+/g, escape)))
    .join('.');
}

function escape(characters: string): string {
  let escaped = '';
  for (const byte of Buffer.from(characters)) escaped += `~${byte.toString(16).padStart(2, '0')}`;
  return escaped;
}
