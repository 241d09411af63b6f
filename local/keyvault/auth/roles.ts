// Azure RBAC for the data plane: built-in Key Vault roles with their real data actions, role
// assignments per principal (object id), optionally limited to one vault.
import type { Principal } from './jwt.js';

const P = 'Microsoft.KeyVault/vaults';

/** Data actions the operations map to (names as in Azure's provider operations list). */
export const DataActions = {
  secretsGet: `${P}/secrets/getSecret/action`,
  secretsReadMetadata: `${P}/secrets/readMetadata/action`,
  secretsSet: `${P}/secrets/setSecret/action`,
  secretsUpdate: `${P}/secrets/update/action`,
  secretsDelete: `${P}/secrets/delete`,
  secretsRecover: `${P}/secrets/recover/action`,
  secretsPurge: `${P}/secrets/purge/action`,
  secretsBackup: `${P}/secrets/backup/action`,
  secretsRestore: `${P}/secrets/restore/action`,
  keysRead: `${P}/keys/read`,
  certificatesRead: `${P}/certificates/read`,
  certificatesCreate: `${P}/certificates/create/action`,
  certificatesImport: `${P}/certificates/import/action`,
  certificatesUpdate: `${P}/certificates/update/action`,
  certificatesDelete: `${P}/certificates/delete`,
  certificatesRecover: `${P}/certificates/recover/action`,
  certificatesPurge: `${P}/certificates/purge/action`,
  certificatesBackup: `${P}/certificates/backup/action`,
  certificatesRestore: `${P}/certificates/restore/action`,
  certificateIssuersRead: `${P}/certificatecas/read`,
  certificateIssuersWrite: `${P}/certificatecas/write`,
  certificateIssuersDelete: `${P}/certificatecas/delete`,
  certificateContactsRead: `${P}/certificatecontacts/read`,
  certificateContactsWrite: `${P}/certificatecontacts/write`,
} as const;

export type DataAction = (typeof DataActions)[keyof typeof DataActions];

/** Built-in roles and their data actions (wildcards as in the real role definitions). */
export const BuiltInRoles = {
  'Key Vault Administrator': [`${P}/*`],
  'Key Vault Secrets Officer': [`${P}/secrets/*`],
  'Key Vault Secrets User': [`${P}/secrets/getSecret/action`, `${P}/secrets/readMetadata/action`],
  'Key Vault Certificates Officer': [
    `${P}/certificatecas/*`,
    `${P}/certificates/*`,
    // Real definition grants certificatecontacts/write only; read is added so getContacts works.
    `${P}/certificatecontacts/*`,
  ],
  'Key Vault Certificate User': [`${P}/certificates/read`, `${P}/secrets/getSecret/action`, `${P}/secrets/readMetadata/action`, `${P}/keys/read`],
  'Key Vault Reader': [`${P}/*/read`, `${P}/secrets/readMetadata/action`],
} as const satisfies Record<string, readonly string[]>;

export type RoleName = keyof typeof BuiltInRoles;

export function isRoleName(value: string): value is RoleName {
  return Object.prototype.hasOwnProperty.call(BuiltInRoles, value);
}

export interface RoleAssignment {
  /** Principal object id (`oid` of the token). */
  principalId: string;
  role: RoleName;
  /** Vault name (first label of the host) this assignment is limited to; all vaults when absent. */
  vault?: string;
}

function matches(pattern: string, action: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );
  return regex.test(action);
}

export function roleAllows(role: RoleName, action: string): boolean {
  return BuiltInRoles[role].some((pattern) => matches(pattern, action));
}

export class RoleAssignments {
  private assignments: RoleAssignment[];

  constructor(assignments: readonly RoleAssignment[] = []) {
    this.assignments = [...assignments];
  }

  list(): RoleAssignment[] {
    return this.assignments.map((a) => ({ ...a }));
  }

  replace(assignments: readonly RoleAssignment[]): void {
    this.assignments = [...assignments];
  }

  isAllowed(principal: Principal, action: string, vaultName: string): boolean {
    const id = principal.objectId.toLowerCase();
    return this.assignments.some(
      (a) => a.principalId.toLowerCase() === id && (a.vault === undefined || a.vault.toLowerCase() === vaultName.toLowerCase()) && roleAllows(a.role, action),
    );
  }
}
