// Standalone sandbox: `npm run sandbox`. The one place the sandbox reads the environment.
import { z } from 'zod';
import { createSandbox } from './server.js';
import { MAX_SEEDED_BUYERS, SANDBOX_USERS, seededBuyer } from './store.js';

const Env = z.object({
  SANDBOX_PORT: z.coerce.number().int().min(0).max(65_535).default(4100),
  SANDBOX_HOST: z.string().min(1).default('127.0.0.1'),
  // The store's storefront (Customer Login links), on a port of its own.
  SANDBOX_STOREFRONT_PORT: z.coerce.number().int().min(0).max(65_535).default(4101),
  SANDBOX_AUTH_TOKEN: z.string().min(1).optional(),
  // Extra company buyers buyer-1@example.com … buyer-N@example.com, for load tests.
  SANDBOX_BUYERS: z.coerce.number().int().min(0).max(MAX_SEEDED_BUYERS).default(0),
  // The sandbox's own limit on upstream requests per minute (BigCommerce's is 150).
  SANDBOX_RATE_LIMIT: z.coerce.number().int().min(1).default(150),
});

const parsed = Env.safeParse(process.env);
if (!parsed.success) {
  console.error(`Invalid sandbox environment:\n${z.prettifyError(parsed.error)}`);
  process.exit(1);
}
const env = parsed.data;

const sandbox = await createSandbox({
  port: env.SANDBOX_PORT,
  host: env.SANDBOX_HOST,
  storefrontPort: env.SANDBOX_STOREFRONT_PORT,
  ...(env.SANDBOX_AUTH_TOKEN === undefined ? {} : { authToken: env.SANDBOX_AUTH_TOKEN }),
  buyers: env.SANDBOX_BUYERS,
  rateLimit: env.SANDBOX_RATE_LIMIT,
});

const u = SANDBOX_USERS;
const extraBuyers =
  env.SANDBOX_BUYERS === 0
    ? ''
    : `\n  Extra buyers:               ${seededBuyer(1).email} … ${seededBuyer(env.SANDBOX_BUYERS).email} / ${u.buyer.password}  (senior buyers of company 501)`;
// This prints the X-Auth-Token on purpose: it is the sandbox's own throwaway secret, and whoever
// starts it needs it to configure the gateway.
console.log(`B2B Edition sandbox listening on ${sandbox.url}
  REST:         ${sandbox.url}/api/io/…   GraphQL: ${sandbox.url}/graphql
  Storefront:   ${sandbox.storefrontUrl}   (Customer Login links: /login/token/<jwt>)
  Store hash:   ${sandbox.storeHash}
  X-Auth-Token: ${sandbox.authToken}

  Company users (storefront): ${u.buyer.email} / ${u.buyer.password}  (senior buyer, user ${u.buyer.userId}, bcId ${u.buyer.bcId})
                              ${u.junior.email} / ${u.junior.password}  (junior buyer, user ${u.junior.userId}, bcId ${u.junior.bcId})
                              ${u.pending.email} / ${u.pending.password}  (company pending approval: logins fail)
  Super Admins:               ${u.superAdmin.email} / ${u.superAdmin.password}  (user ${u.superAdmin.userId}, bcId ${u.superAdmin.bcId}; masquerades as companies ${u.superAdmin.companyIds.join(', ')})
                              ${u.salesRep.email} / ${u.salesRep.password}  (user ${u.salesRep.userId}, bcId ${u.salesRep.bcId}; companies ${u.salesRep.companyIds.join(', ')})
  B2C customer:               ${u.shopper.email} / ${u.shopper.password}  (bcId ${u.shopper.bcId})${extraBuyers}
  Backend users:              ${u.owner.email} / ${u.owner.password}  (Store Owner)
                              ${u.staff.email} / ${u.staff.password}  (custom role: "role forbidden")

  Current Customer JWT:  GET ${sandbox.url}/sandbox/current-customer-jwt?email=${u.buyer.email}
  Faults:                POST/DELETE ${sandbox.url}/sandbox/faults
  Rate limit:            ${env.SANDBOX_RATE_LIMIT} upstream requests a minute`);

let stopping = false;
async function stop(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: closing the sandbox`);
  await sandbox.close();
}
process.once('SIGINT', (signal) => void stop(signal));
process.once('SIGTERM', (signal) => void stop(signal));
