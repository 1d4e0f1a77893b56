// Redis URLs as they may be shown: apart from the Redis client, so commands that only print a URL do not load it.

/** The URL with any password replaced by `***`, for messages and run records. */
export function maskRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    if (u.username !== '' && u.password === '') u.username = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '<invalid Redis URL>';
  }
}
