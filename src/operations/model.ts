import { z } from 'zod';

export const operationStatuses = ['NotStarted', 'Running', 'Succeeded', 'Failed', 'Canceled'] as const;
export type OperationStatus = (typeof operationStatuses)[number];
export const operationKinds = ['certificate.create', 'certificate.delete', 'certificate.renew', 'certificate.recover'] as const;
export type OperationKind = (typeof operationKinds)[number];

export const isTerminal = (status: OperationStatus) => status === 'Succeeded' || status === 'Failed' || status === 'Canceled';

export const operationSchema = z
  .object({
    id: z.string(),
    kind: z.enum(operationKinds),
    target: z.object({ type: z.literal('certificate'), name: z.string() }),
    status: z.enum(operationStatuses),
    createdAt: z.string(),
    updatedAt: z.string(),
    attempts: z.number().int(),
    error: z.object({ code: z.string(), message: z.string() }).optional().meta({ description: 'Why it failed (or the last retried error while running).' }),
    result: z.object({ id: z.string(), version: z.string().optional() }).optional(),
  })
  .meta({ id: 'Operation' });

export type Operation = z.infer<typeof operationSchema>;
