import { z } from 'zod';
import { operationKinds } from '../operations/model.js';
import { objectNameSchema } from '../platform/apiSchemas.js';

/** A job on the `certificate-jobs` queue. */
export const jobMessageSchema = z.object({
  v: z.literal(1),
  operationId: z.uuid(),
  kind: z.enum(operationKinds),
  name: objectNameSchema,
  /** The certificate policy for create (public SDK shape). */
  policy: z.record(z.string(), z.unknown()).optional(),
  /** Tags and enabled state for a new certificate (create only). */
  tags: z.record(z.string(), z.string()).optional(),
  enabled: z.boolean().optional(),
  /** A Key Vault poller's `toString()`: the worker resumes it instead of starting over. */
  pollerState: z.string().optional(),
  /** Incremented on every re-enqueue by the worker itself (not by queue redelivery). */
  attempt: z.number().int().min(0),
});

export type JobMessage = z.infer<typeof jobMessageSchema>;
