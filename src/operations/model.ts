import * as z from 'zod';

export const operationStatuses = ['NotStarted', 'Running', 'Succeeded', 'Failed', 'Canceled'] as const;
export type OperationStatus = (typeof operationStatuses)[number];
export const operationKinds = ['certificate.create', 'certificate.delete', 'certificate.renew', 'certificate.recover'] as const;
export type OperationKind = (typeof operationKinds)[number];

export const isTerminal = (status: OperationStatus) => status === 'Succeeded' || status === 'Failed' || status === 'Canceled';

/** The operation resource clients poll (`GET /api/operations/{id}`). */
export const operationSchema = z
  .object({
    id: z.string(),
    kind: z.enum(operationKinds),
    target: z.object({ type: z.literal('certificate'), name: z.string(), vault: z.string().meta({ description: 'The vault alias (`default`: KEYVAULT_URL).' }) }),
    status: z.enum(operationStatuses),
    createdAt: z.string(),
    updatedAt: z.string(),
    attempts: z.number().int(),
    error: z.object({ code: z.string(), message: z.string() }).optional().meta({ description: 'Why it failed (or the last retried error while running).' }),
    result: z.object({ id: z.string(), version: z.string().optional() }).optional(),
    traceId: z
      .string()
      .regex(/^[0-9a-f]{32}$/)
      .optional()
      .meta({
        description:
          'The W3C trace id of the request that started the operation and of its job (set only while the app sends traces): find it in Application Insights or your tracing backend.',
      }),
  })
  .meta({ id: 'Operation' });

export type Operation = z.infer<typeof operationSchema>;

/** Worker bookkeeping kept beside the public operation resource. */
export interface OperationProgress {
  /** When the worker first asked Key Vault to start the work (ISO); set before the call. */
  submittedAt?: string;
  /** The worker invocation that holds the operation, and until when (ISO). */
  leaseOwner?: string;
  leaseUntil?: string;
}

export interface StoredOperation extends Operation {
  progress: OperationProgress;
}

/** What a terminal operation ends with. */
export type OperationOutcome = { status: 'Succeeded'; result?: Operation['result'] } | { status: 'Canceled' } | { status: 'Failed'; error: { code: string; message: string } };

/** A problem as an operation records it. */
export const operationError = (problem: { code: string; message: string }) => ({ code: problem.code, message: problem.message });

/** The operation as clients see it: without the worker's bookkeeping. */
export function publicView(operation: StoredOperation): Operation {
  const { progress: _progress, ...view } = operation;
  return view;
}

/** Scheduled renewal bookkeeping for a certificate: its last renewal operation and back-off. */
export interface RenewalState {
  /** Failed renewals in a row. */
  failures: number;
  /** No new attempt before this time (ISO). */
  retryAt?: string;
  lastOperationId?: string;
}
