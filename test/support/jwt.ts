/** A JWT NumericDate claim (seconds) as the ISO-8601 string the gateway answers. */
export const isoFromSeconds = (seconds: unknown) => new Date(Number(seconds) * 1000).toISOString();

/** A JWT whose signature no longer matches its header and payload. */
export function tamperSignature(jwt: string): string {
  const [header, payload, signature = ''] = jwt.split('.');
  const flipped = (signature.startsWith('A') ? 'B' : 'A') + signature.slice(1);
  return `${header}.${payload}.${flipped}`;
}
