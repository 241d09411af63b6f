import * as z from 'zod';
import { namesItsSubject, newCertificateShape } from '../certificates/schemas.js';
import { operationKinds } from '../operations/model.js';
import { objectNameSchema } from '../platform/apiSchemas.js';
import { VAULT_ALIAS } from '../platform/config.js';
import { traceContext, TRACEPARENT, TRACESTATE, type TraceContext } from '../platform/telemetry.js';

/**
 * A job on the `certificate-jobs` queue. The policy, tags and enabled state are checked with the
 * same schema as the HTTP request body: a job written to the queue by other means gets no less
 * validation than one that came through the API.
 */
export const jobMessageSchema = z
  .object({
    v: z.literal(1),
    operationId: z.uuid(),
    kind: z.enum(operationKinds),
    name: objectNameSchema,
    /** The vault alias (KEYVAULTS); absent: the default vault. */
    vault: z.string().regex(VAULT_ALIAS).optional(),
    ...newCertificateShape,
    /** A Key Vault poller's `toString()`: the worker resumes it instead of starting over. */
    pollerState: z
      .string()
      .max(64 * 1024)
      .optional(),
    /** Incremented on every re-enqueue by the worker itself (not by queue redelivery). */
    attempt: z.number().int().min(0),
    /**
     * W3C trace context of the request that started the job (only while tracing is on): every
     * invocation of the job, re-queues included, continues that trace.
     */
    traceparent: z.string().regex(TRACEPARENT).optional(),
    tracestate: z.string().regex(TRACESTATE).optional(),
  })
  .refine(namesItsSubject.check, namesItsSubject.options);

export type JobMessage = z.infer<typeof jobMessageSchema>;

/** What starting an operation asks for: the job without its bookkeeping. */
export type JobRequest = Pick<JobMessage, 'kind' | 'name' | 'vault' | 'policy' | 'tags' | 'enabled'>;

/** The trace context a message carries, if it is a valid one (read before the message is validated). */
export function traceContextOf(message: unknown): TraceContext | undefined {
  const fields = message && typeof message === 'object' ? (message as { traceparent?: unknown; tracestate?: unknown }) : {};
  return traceContext(fields.traceparent, fields.tracestate);
}

/** The operation id of a message that is not a valid job, when it has one to report the failure on. */
export const operationIdOf = (message: unknown) => z.object({ operationId: z.uuid() }).safeParse(message).data?.operationId;
