// `/sandbox/*`: routes for driving a sandbox that runs in another process (`npm run sandbox`).
// Never recorded, never rate limited, never faulted.
import { z } from 'zod';
import { jsonResponse, type SandboxRequest, type SandboxResponse } from './exchange.js';
import { faultSpecJson, type FaultRegistry } from './faults.js';
import type { RecordedRequest } from './types.js';

export interface ControlDependencies {
  faults: FaultRegistry;
  requests: () => RecordedRequest[];
  clearRequests: () => void;
  /** Resolves `undefined` for an email that is not a seeded storefront customer. */
  currentCustomerJwt: (email: string, expiresInSeconds: number | undefined) => Promise<string | undefined>;
}

const jwtQuery = z.object({
  email: z.string().min(1),
  expiresInSeconds: z.coerce.number().int().optional(),
});

export function isControlPath(pathname: string): boolean {
  return pathname === '/sandbox' || pathname.startsWith('/sandbox/');
}

export function createControlRoutes(deps: ControlDependencies) {
  const ok = (): SandboxResponse => jsonResponse(200, { ok: true });
  const error = (status: number, message: string, details?: unknown): SandboxResponse =>
    jsonResponse(status, { error: message, ...(details === undefined ? {} : { details }) });

  return async function control(request: SandboxRequest): Promise<SandboxResponse> {
    const route = `${request.method} ${request.pathname.replace(/\/+$/, '')}`;
    switch (route) {
      case 'GET /sandbox/health':
        return ok();
      case 'GET /sandbox/current-customer-jwt': {
        const query = jwtQuery.safeParse(request.query);
        if (!query.success) return error(400, 'Expected ?email=…[&expiresInSeconds=…]', z.treeifyError(query.error));
        const token = await deps.currentCustomerJwt(query.data.email, query.data.expiresInSeconds);
        return token === undefined ? error(404, 'No seeded storefront customer has this email') : jsonResponse(200, { token });
      }
      case 'POST /sandbox/faults': {
        if (request.body.kind !== 'json') return error(400, 'Expected a JSON FaultSpec');
        const spec = faultSpecJson.safeParse(request.body.value);
        if (!spec.success) return error(400, 'Invalid FaultSpec', z.treeifyError(spec.error));
        deps.faults.add(spec.data);
        return ok();
      }
      case 'DELETE /sandbox/faults':
        deps.faults.clear();
        return ok();
      case 'GET /sandbox/requests':
        return jsonResponse(200, { requests: deps.requests() });
      case 'DELETE /sandbox/requests':
        deps.clearRequests();
        return ok();
      default:
        return error(404, 'Unknown sandbox control route');
    }
  };
}
