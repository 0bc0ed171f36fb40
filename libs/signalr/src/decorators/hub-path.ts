/** `chatHub` and `/chatHub/` are served at `/chatHub`. */
export function normalizeHubPath(path: string): string {
  const withSlash = path.startsWith('/') ? path : `/${path}`;
  return withSlash.length > 1 && withSlash.endsWith('/') ? withSlash.slice(0, -1) : withSlash;
}
