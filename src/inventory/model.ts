import * as z from 'zod';

// What the inventory knows about each object: properties and the app's own state, never a value.

export const inventoryKinds = ['secret', 'certificate'] as const;

/**
 * A secret's rotation: `none` (no policy tags), `scheduled` (next due in the future), `due` (due
 * now; the run rotates it or failed to), `invalid` (its tags do not parse), `managed` (a
 * certificate's secret, which Key Vault manages).
 */
export const rotationStates = ['none', 'scheduled', 'due', 'invalid', 'managed'] as const;
export type RotationStatus = (typeof rotationStates)[number];

/**
 * A certificate's renewal: `none` (no expiry), `scheduled` (its renewal window has not begun),
 * `due` (in its window, no renewal started yet), `auto-renew` (its policy lets Key Vault renew
 * it), `in-progress` (a renewal operation is running), `backing-off` (the last renewals failed;
 * the next try waits), `invalid` (its `renew-before` tag does not parse).
 */
export const renewalStates = ['none', 'scheduled', 'due', 'auto-renew', 'in-progress', 'backing-off', 'invalid'] as const;
export type RenewalStatus = (typeof renewalStates)[number];

export const inventoryItemSchema = z
  .object({
    vault: z.string().meta({ description: 'The vault alias (`default`: KEYVAULT_URL).' }),
    kind: z.enum(inventoryKinds),
    name: z.string(),
    enabled: z.boolean(),
    createdOn: z.string().optional().meta({ description: "The current version's creation time." }),
    expiresOn: z.string().optional(),
    tags: z.record(z.string(), z.string()),
    /** The object's path under the API root, e.g. `/vaults/payments/secrets/db-password`. */
    path: z.string().meta({ description: 'The object under the API root (`/secrets/{name}`, `/vaults/{vault}/certificates/{name}`).' }),
    rotation: z
      .object({
        state: z.enum(rotationStates),
        policy: z.string().optional().meta({ description: 'The rotation tags, e.g. `rotation-interval=P30D`.' }),
        nextDueAt: z.string().optional(),
        lastRotatedAt: z.string().optional(),
        problem: z.string().optional().meta({ description: 'Why the policy is invalid.' }),
      })
      .optional()
      .meta({ description: 'Secrets only.' }),
    renewal: z
      .object({
        state: z.enum(renewalStates),
        dueAt: z.string().optional(),
        operationId: z.string().optional().meta({ description: 'The renewal operation running or last run.' }),
        retryAt: z.string().optional(),
        problem: z.string().optional(),
      })
      .optional()
      .meta({ description: 'Certificates only.' }),
    lastFailure: z.object({ at: z.string(), reason: z.string() }).optional().meta({ description: 'The last rotation or renewal that failed, until one succeeds.' }),
  })
  .meta({ id: 'InventoryItem' });

export type InventoryItem = z.infer<typeof inventoryItemSchema>;

export const inventorySources = ['rotation-run', 'refresh'] as const;

/** One vault's snapshot, as stored in blob storage (container `inventory`, blob `<alias>.json`). */
export interface VaultInventory {
  vault: string;
  vaultUrl: string;
  generatedAt: string;
  source: (typeof inventorySources)[number];
  /** False when the listing stopped part way (lease lost, vault unreachable): items are what was read. */
  complete: boolean;
  items: InventoryItem[];
}

export const vaultInventorySummarySchema = z
  .object({
    vault: z.string(),
    vaultUrl: z.string(),
    generatedAt: z.string().optional().meta({ description: 'Absent until the first rotation run or refresh.' }),
    source: z.enum(inventorySources).optional(),
    complete: z.boolean(),
    secrets: z.number().int(),
    certificates: z.number().int(),
  })
  .meta({ id: 'VaultInventorySummary' });

/** `GET /api/inventory`: every configured vault's last snapshot, items of all vaults in one list. */
export const inventoryResponseSchema = z
  .object({
    vaults: z.array(vaultInventorySummarySchema),
    items: z.array(inventoryItemSchema.extend({ url: z.string().meta({ description: "The object's API URL." }) })),
  })
  .meta({ id: 'Inventory' });

export type InventoryResponse = z.infer<typeof inventoryResponseSchema>;
