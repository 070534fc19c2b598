const USER_INFO = /(^|[a-z][a-z0-9+.-]*:\/\/|[\s,;])([^\s/]*)@/gi;
const SECRET_PARAMETER = /([?&;](?:password|pwd|token|secret|key)=)[^&;\s]*/gi;

/**
 * Masks the credentials in a URL or a comma-separated list of URLs, so a value can
 * be echoed in an error or a log line: `nats://***:***@host:4222` for user and
 * password, `nats://***@host:4222` for a token, `?password=***` in a query. When
 * unsure where the credentials end it masks more rather than less.
 */
export function maskCredentials(value: string): string {
  return value
    .replace(USER_INFO, (_match, prefix: string, userInfo: string) =>
      `${prefix}${userInfo.includes(':') ? '***:***' : '***'}@`)
    .replace(SECRET_PARAMETER, '$1***');
}
