/**
 * `GATEWAY_CORS_ORIGINS`: each entry is an origin (`https://shop.example`), an origin with any port
 * (`http://localhost:*`), or `*`. `http/cors.ts` turns the list into Yoga's `cors` option.
 */
export const ORIGIN_PATTERN = /^(\*|https?:\/\/[a-z0-9.-]+(:(\d{1,5}|\*))?)$/i;

/** Origins allowed when the gateway runs on the embedded sandbox and none are configured. */
export const SANDBOX_CORS_ORIGINS = ['http://localhost:*', 'http://127.0.0.1:*'];
