export { createSandbox } from './server.js';
export { DEMO_BUYER, SANDBOX_USERS } from './store.js';
export { B2B_APP_CLIENT_ID } from './tokens.js';
export type { FaultSpec, RecordedRequest, Sandbox, SandboxOptions } from './types.js';
