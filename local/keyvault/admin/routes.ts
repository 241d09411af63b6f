// /_emulator/* — emulator control, not part of the Key Vault API. No Key Vault auth; protected
// by an optional admin token (header x-emulator-admin-token, checked in server.ts).
import type { FastifyInstance, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { z } from 'zod';
import { isRoleName, type RoleAssignment, type RoleAssignments } from '../auth/roles.js';
import { applySettingsPatch, settingsPatchSchema, type EmulatorSettings } from '../timing.js';
import type { CallCounters } from '../counters.js';
import { errors } from '../errors.js';
import { faultPatchSchema, type FaultConfig, type FaultInjector } from '../faults.js';
import { ADMIN_PREFIX } from '../server.js';
import type { VaultStore } from '../store/types.js';

export interface AdminDependencies {
  counters: CallCounters;
  faults: FaultInjector;
  /** Fault config restored by POST /reset. */
  initialFaults: FaultConfig;
  settings: EmulatorSettings;
  roles: RoleAssignments;
  store: VaultStore;
  /** Static facts for GET /info (vault URL, tenant, principals…). */
  info: () => Record<string, unknown>;
}

const assignmentsBody = z.array(
  z.object({
    principalId: z.string().min(1),
    role: z.string().refine(isRoleName, { message: 'unknown role' }),
    vault: z.string().optional(),
  }),
);

const resetBody = z.object({ counters: z.boolean().optional(), faults: z.boolean().optional(), data: z.boolean().optional() });

function json<S extends z.ZodType>(request: FastifyRequest, schema: S): z.infer<S> {
  const raw = request.body;
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : '';
  let value: unknown = {};
  if (text.trim() !== '') {
    try {
      value = JSON.parse(text);
    } catch {
      throw errors.malformedBody();
    }
  }
  const result = schema.safeParse(value);
  if (!result.success) throw errors.badParameter(`Invalid admin request: ${result.error.issues[0]?.message ?? 'invalid'}`);
  return result.data;
}

export function registerAdminRoutes(app: FastifyInstance, deps: AdminDependencies): void {
  // `config.admin` is what server.ts checks: the token guard follows the matched route.
  const route = (method: 'GET' | 'PUT' | 'POST', path: string, handler: RouteHandlerMethod) =>
    app.route({ method, url: `${ADMIN_PREFIX}${path}`, config: { admin: true }, handler });
  route('GET', '/health', async () => ({ status: 'ok' }));
  route('GET', '/info', async () => deps.info());
  route('GET', '/counters', async () => deps.counters.snapshot());
  route('POST', '/reset', async (request) => {
    const body = json(request, resetBody);
    if (body.counters ?? true) deps.counters.reset();
    if (body.faults ?? true) deps.faults.config = structuredClone(deps.initialFaults);
    if (body.data ?? false) await deps.store.clear();
    return { reset: { counters: body.counters ?? true, faults: body.faults ?? true, data: body.data ?? false } };
  });
  route('GET', '/faults', async () => deps.faults.config);
  route('PUT', '/faults', async (request) => deps.faults.update(json(request, faultPatchSchema) as Partial<FaultConfig>));
  route('GET', '/settings', async () => deps.settings);
  route('PUT', '/settings', async (request) => Object.assign(deps.settings, applySettingsPatch(deps.settings, json(request, settingsPatchSchema))));
  route('GET', '/role-assignments', async () => deps.roles.list());
  route('PUT', '/role-assignments', async (request) => {
    deps.roles.replace(json(request, assignmentsBody) as RoleAssignment[]);
    return deps.roles.list();
  });
}
