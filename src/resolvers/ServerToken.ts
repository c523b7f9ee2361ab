import type { ServerTokenEventChannel, ServerTokenResolvers } from '../generated/resolvers-types.js';
import { requireTrustedCaller } from '../access/trusted-callers.js';

const EVENT_CHANNELS: ReadonlyMap<string, ServerTokenEventChannel> = new Map([
  ['app', 'APP'],
  ['admin', 'ADMIN'],
  ['api', 'API'],
]);

/** `ServerToken`: the upstream record, its event channel as an enum, and its value guarded. */
export const ServerToken: ServerTokenResolvers = {
  // `serverTokens` already refuses untrusted callers; the value is guarded on its own too, so a
  // future field that returns `ServerToken` cannot hand a secret to a browser by accident.
  token: (record, _args, context) => {
    requireTrustedCaller(context, 'A server-to-server token value');
    return record.token;
  },
  eventChannel: (record) => EVENT_CHANNELS.get(record.eventChannel.toLowerCase()) ?? 'UNKNOWN',
};
