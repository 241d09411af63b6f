// infra/ read as text against what the app needs: its config schema, the roles it uses, keyless
// storage, Node.js 22, the secure defaults, and the existing vaults it may also manage. No Bicep compiler runs here; the checker's own
// tests below show it fails on each kind of mistake.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configSchema, DEFAULT_VAULT, VAULT_ALIAS } from '../../../../src/platform/config.js';
import { checkInfra, readInfra, type AllowedRole, type InfraExpectations, type InfraTexts } from '../../../support/infraCheck.js';

/** Every role infra may assign, and why. Adding a role to infra means adding it here with its reason. */
const allowedRoles: AllowedRole[] = [
  {
    id: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
    name: 'Key Vault Secrets Officer',
    why: 'secrets: list, get, set, update, delete, recover, purge, rotation, the idempotency key secret (app); managing secrets (deployer)',
  },
  {
    id: 'a4417e6f-fecd-4de8-b567-7b0420556985',
    name: 'Key Vault Certificates Officer',
    why: 'certificates: create, import, policy, pending operations, renew, delete, recover, purge (app); managing certificates (deployer)',
  },
  { id: '21090545-7ca7-4776-b22c-e363652d74d2', name: 'Key Vault Reader', why: "the public key and properties of a certificate's key (GET /api/keys/{name})" },
  {
    id: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
    name: 'Storage Blob Data Owner',
    why: 'host leases and state, the rotation run lease, the Flex Consumption deployment package',
  },
  { id: '974c5e8b-45b9-4653-ba55-5f855dd0fb88', name: 'Storage Queue Data Contributor', why: 'create, send to and receive from the job, poison and event queues' },
  {
    id: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
    name: 'Storage Table Data Contributor',
    why: 'the operations table (operations, idempotency records, event outbox, run records)',
  },
  { id: '3913510d-42f4-4e42-8a64-420c390055eb', name: 'Monitoring Metrics Publisher', why: 'send telemetry to Application Insights, which accepts Entra identities only' },
];

const expected: InfraExpectations = { configSchema, allowedRoles, nodeVersion: '22', vaultAlias: VAULT_ALIAS, defaultVault: DEFAULT_VAULT };

let infra: InfraTexts;
beforeAll(async () => {
  infra = await readInfra(fileURLToPath(new URL('../../../../infra/', import.meta.url)));
});

/** A copy of the infra texts with `from` replaced in one file; fails if `from` is not there, so a mutation never silently stops applying. */
function mutate(texts: InfraTexts, file: string, from: string | RegExp, to: string): InfraTexts {
  const isParameters = file === 'main.parameters.json';
  const text = isParameters ? texts.parameters : texts.bicep[file];
  if (text === undefined) throw new Error(`no infra file ${file}`);
  const changed = text.replace(from, to);
  if (changed === text) throw new Error(`${String(from)} is not in ${file}`);
  return isParameters ? { ...texts, parameters: changed } : { ...texts, bicep: { ...texts.bicep, [file]: changed } };
}

describe('infra/', () => {
  it('gives the app every setting its config schema requires, only the allowed roles, keyless storage, Node.js 22 and secure defaults', () => {
    expect(checkInfra(infra, expected)).toEqual([]);
  });

  it('holds the Bicep files azd deploys', () => {
    expect(Object.keys(infra.bicep).sort()).toEqual([
      'app/api.bicep',
      'app/existing-vault.bicep',
      'app/monitoring.bicep',
      'app/rbac.bicep',
      'app/storage.bicep',
      'app/vault.bicep',
      'main.bicep',
    ]);
  });
});

describe('the infra checker', () => {
  it('fails when the config schema requires a setting infra does not set', () => {
    const schema = z.object({ ...configSchema.shape, SOME_NEW_SETTING: z.string() });
    expect(checkInfra(infra, { ...expected, configSchema: schema })).toEqual([expect.stringMatching(/app setting SOME_NEW_SETTING is required by the config schema/)]);
  });

  it("fails when infra drops a required setting, including one only the schema's cross-checks require", () => {
    const withoutQueue = mutate(infra, 'app/api.bicep', /^\s*JOBS_QUEUE: .*\n/m, '');
    expect(checkInfra(withoutQueue, expected)).toEqual([expect.stringMatching(/app setting JOBS_QUEUE is required/)]);
    const withoutTables = mutate(infra, 'app/api.bicep', /^\s*AzureWebJobsStorage__tableServiceUri: .*\n/m, '');
    expect(checkInfra(withoutTables, expected)).toEqual([expect.stringMatching(/app setting AzureWebJobsStorage__tableServiceUri is required/)]);
  });

  it('fails when the settings are not applied to the Function App', () => {
    const unapplied = mutate(
      infra,
      'app/api.bicep',
      'properties: union(appSettings, keyVaultsSetting, webhookSetting, authRolesSetting)',
      'properties: union(keyVaultsSetting, webhookSetting, authRolesSetting)',
    );
    expect(checkInfra(unapplied, expected)).toEqual([expect.stringMatching(/`var appSettings` is not applied to the Function App/)]);
  });

  it('fails when a literal setting is one the app refuses', () => {
    const badQueue = mutate(infra, 'app/api.bicep', "JOBS_QUEUE: 'certificate-jobs'", "JOBS_QUEUE: 'Certificate_Jobs'");
    expect(checkInfra(badQueue, expected)).toEqual([expect.stringMatching(/app setting JOBS_QUEUE='Certificate_Jobs' is rejected by the config schema/)]);
  });

  it('fails on a role that is not on the allowed list, and on an allowed role nothing assigns', () => {
    const messageProcessor = '8a0f0c08-91a1-4084-bc3d-661d67233fed';
    const extraRole = mutate(infra, 'app/rbac.bicep', /var storageRoles = \[\n/, `var storageRoles = [\n  '${messageProcessor}'\n`);
    expect(checkInfra(extraRole, expected)).toEqual([expect.stringMatching(new RegExp(`app/rbac.bicep: role definition ${messageProcessor} is not on the allowed list`))]);
    const unused: AllowedRole = { id: '4633458b-17de-408a-b874-0445c86b69e6', name: 'Key Vault Secrets User', why: 'not needed' };
    expect(checkInfra(infra, { ...expected, allowedRoles: [...allowedRoles, unused] })).toEqual([
      expect.stringMatching(/allowed role Key Vault Secrets User .* is not assigned/),
    ]);
  });

  it('fails on storage that accepts shared keys, and on anything that reads a key', () => {
    const sharedKeys = mutate(infra, 'app/storage.bicep', 'allowSharedKeyAccess: false', 'allowSharedKeyAccess: true');
    expect(checkInfra(sharedKeys, expected)).toEqual([
      expect.stringMatching(/storage account storage must set allowSharedKeyAccess: false/),
      expect.stringMatching(/app\/storage.bicep: allowSharedKeyAccess: true/),
    ]);
    const listKeys = mutate(infra, 'app/api.bicep', 'AZURE_CLIENT_ID: identity.properties.clientId', 'AZURE_CLIENT_ID: storage.listKeys().keys[0].value');
    expect(checkInfra(listKeys, expected)).toEqual([expect.stringMatching(/listKeys\( reads a storage account key/)]);
    const connectionString = mutate(
      infra,
      'app/api.bicep',
      "AzureWebJobsStorage__credential: 'managedidentity'",
      "AzureWebJobsStorage__credential: 'managedidentity'\n  AzureWebJobsStorage: 'DefaultEndpointsProtocol=https;AccountName=x;AccountKey=y'",
    );
    expect(checkInfra(connectionString, expected)).toEqual([
      expect.stringMatching(/AzureWebJobsStorage is a connection string/),
      expect.stringMatching(/contains AccountKey=/),
    ]);
  });

  it('fails on a Node.js runtime other than 22', () => {
    const node20 = mutate(infra, 'app/api.bicep', "version: '22'", "version: '20'");
    expect(checkInfra(node20, expected)).toEqual(['app/api.bicep: Function App runtime is node 20, expected node 22']);
  });

  it('fails when main.parameters.json and main.bicep disagree', () => {
    const unknown = mutate(infra, 'main.parameters.json', '"parameters": {', '"parameters": {\n    "namePrefix": { "value": "${AZURE_ENV_NAME}" },');
    expect(checkInfra(unknown, expected)).toEqual(['main.parameters.json maps namePrefix, which main.bicep does not declare']);
    const unmapped = mutate(infra, 'main.parameters.json', '    "location": { "value": "${AZURE_LOCATION}" },\n', '');
    expect(checkInfra(unmapped, expected)).toEqual(['main.bicep parameter location has no default and main.parameters.json does not map it']);
  });

  it('fails on a resource-group scope, a short environment name, or a location azd cannot offer', () => {
    expect(checkInfra(mutate(infra, 'main.bicep', "targetScope = 'subscription'", "targetScope = 'resourceGroup'"), expected)).toEqual([
      expect.stringMatching(/targetScope = 'subscription'/),
    ]);
    expect(checkInfra(mutate(infra, 'main.bicep', '@maxLength(64)', '@maxLength(12)'), expected)).toEqual([expect.stringMatching(/environmentName must allow 64 characters/)]);
    expect(checkInfra(mutate(infra, 'main.bicep', /@metadata\(\{\n\s*azd: \{\n\s*type: 'location'\n\s*\}\n\}\)\n/, ''), expected)).toEqual([
      expect.stringMatching(/location needs @metadata/),
    ]);
  });

  it('fails when purge protection is off by default or the vault is not audited', () => {
    const purgeOff = mutate(infra, 'main.bicep', 'param enablePurgeProtection bool = true', 'param enablePurgeProtection bool = false');
    expect(checkInfra(purgeOff, expected)).toEqual(['main.bicep: param enablePurgeProtection must default to true']);
    const noAudit = mutate(infra, 'app/vault.bicep', "category: 'AuditEvent'", "category: 'AzurePolicyEvaluationDetails'");
    expect(checkInfra(noAudit, expected)).toEqual([expect.stringMatching(/Key Vault vault has no diagnostic setting sending AuditEvent logs/)]);
  });

  it('fails when FTP or SCM publishing with basic credentials stays on', () => {
    const scmOn = mutate(infra, 'app/api.bicep', /(name: 'scm'\n\s*properties: \{\n\s*allow: )false/, '$1true');
    expect(checkInfra(scmOn, expected)).toEqual([expect.stringMatching(/basic publishing credentials are not turned off for scm/)]);
  });

  it('ignores what comments say: a role id or a key in a comment is not an assignment', () => {
    const commented = mutate(infra, 'app/rbac.bicep', /^/, '// Not Storage Queue Data Message Processor (8a0f0c08-91a1-4084-bc3d-661d67233fed): listKeys( is never used.\n');
    expect(checkInfra(commented, expected)).toEqual([]);
  });
});

describe('the infra checker on existing vaults (additionalVaults)', () => {
  const existingVault = 'app/existing-vault.bicep';

  it('fails when the app identity lacks a role on an existing vault that it has on the created vault, or gets one it does not', () => {
    const noReader = mutate(infra, existingVault, /^\s*roles\.keyVaultReader\n/m, '');
    expect(checkInfra(noReader, expected)).toEqual([
      'app/existing-vault.bicep: the app identity lacks Key Vault Reader (21090545-7ca7-4776-b22c-e363652d74d2) on an existing vault, which it has on the created vault (app/rbac.bicep)',
    ]);
    const blobOwner = mutate(infra, existingVault, /^(\s*)roles\.keyVaultReader\n/m, "$1roles.keyVaultReader\n$1'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'\n");
    expect(checkInfra(blobOwner, expected)).toEqual([
      'app/existing-vault.bicep: the app identity gets Storage Blob Data Owner (b7e6dc6d-f1e8-4753-8033-0f276bb0955b) on an existing vault, which it does not get on the created vault (app/rbac.bicep)',
    ]);
  });

  it('fails when a role on an existing vault is assigned on its resource group, or under a name that is not the same on every deployment', () => {
    const onResourceGroup = mutate(infra, existingVault, /^\s*scope: vault\n/m, '\n');
    expect(checkInfra(onResourceGroup, expected)).toEqual([expect.stringMatching(/role assignment appVaultRoles is not scoped to the vault/)]);
    const sharedName = mutate(infra, existingVault, 'name: guid(vault.id, appPrincipalId, role)', 'name: guid(resourceGroup().id, role)');
    expect(checkInfra(sharedName, expected)).toEqual([expect.stringMatching(/role assignment appVaultRoles must be named guid\(vault\.id, appPrincipalId, role\)/)]);
  });

  it('fails when the existing vault would be created rather than referenced', () => {
    const created = mutate(
      infra,
      existingVault,
      "resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {",
      "resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {",
    );
    expect(checkInfra(created, expected)).toEqual(expect.arrayContaining([expect.stringMatching(/Key Vault vault must be declared existing/)]));
  });

  it("fails when the per-vault module is not deployed to the vault's resource group, gives roles to another principal, or is missing", () => {
    const sameGroup = mutate(infra, 'main.bicep', /scope: resourceGroup\(existingVault\.\?subscriptionId .*\n/, 'scope: rg\n');
    expect(checkInfra(sameGroup, expected)).toEqual([expect.stringMatching(/module existingVaults must be deployed to each vault's resource group/)]);
    const deployer = mutate(infra, 'main.bicep', /(vaultName: existingVault\.name\n\s*appPrincipalId: )api\.outputs\.identityPrincipalId/, '$1principalId');
    expect(checkInfra(deployer, expected)).toEqual([expect.stringMatching(/module existingVaults must pass appPrincipalId: api\.outputs\.identityPrincipalId/)]);
    const none = mutate(infra, 'main.bicep', /module existingVaults [\s\S]*?\n\]\n/, '');
    expect(checkInfra(none, expected)).toEqual(["main.bicep: no module is deployed for each entry of additionalVaults (the app identity's roles on that vault)"]);
  });

  it('fails when KEYVAULTS is missing, set without existing vaults, or not alias=URL pairs the config schema accepts', () => {
    const unset = mutate(infra, 'app/api.bicep', 'union(appSettings, keyVaultsSetting, ', 'union(appSettings, ');
    expect(checkInfra(unset, expected)).toEqual([expect.stringMatching(/app setting KEYVAULTS is not set/)]);
    const always = mutate(infra, 'app/api.bicep', "JOBS_QUEUE: 'certificate-jobs'", "JOBS_QUEUE: 'certificate-jobs'\n  KEYVAULTS: keyVaults");
    expect(checkInfra(always, expected)).toEqual([expect.stringMatching(/app setting KEYVAULTS must be set only when there are existing vaults/)]);
    const semicolons = mutate(infra, 'app/api.bicep', "}/'), ',')", "}/'), ';')");
    expect(checkInfra(semicolons, expected)).toEqual([expect.stringMatching(/app setting KEYVAULTS=.* \(two sample vaults\) gives the app \{"payments":/)]);
    const colon = mutate(infra, 'app/api.bicep', '${existingVault.alias}=https://', '${existingVault.alias}:https://');
    expect(checkInfra(colon, expected)).toEqual([expect.stringMatching(/app setting KEYVAULTS=payments:https.* is rejected by the config schema: has an invalid alias/)]);
    const aliasAsHost = mutate(infra, 'app/api.bicep', 'https://${existingVault.name}', 'https://${existingVault.alias}');
    expect(checkInfra(aliasAsHost, expected)).toEqual([expect.stringMatching(/gives the app \{"payments":"https:\/\/payments\.vault\.azure\.net\/"/)]);
    const unknown = mutate(infra, 'app/api.bicep', '${keyVaultDnsSuffix}/', '${existingVault.dns}/');
    expect(checkInfra(unknown, expected)).toEqual([expect.stringMatching(/cannot work out \$\{existingVault\.dns\}/)]);
    const notPassed = mutate(infra, 'main.bicep', '    additionalVaults: additionalVaults\n', '    additionalVaults: []\n');
    expect(checkInfra(notPassed, expected)).toEqual(['main.bicep: module api must pass additionalVaults: additionalVaults']);
  });

  it("fails when an alias may be longer than the app's rule allows or its description does not state the rule", () => {
    const long = mutate(infra, 'main.bicep', /@maxLength\(24\)(\n\s*@description\('The vault\\'s alias)/, '@maxLength(30)$1');
    expect(checkInfra(long, expected)).toEqual(["main.bicep: additionalVault.alias must have @minLength(1) and @maxLength(24), the lengths the app's alias rule allows"]);
    const vague = mutate(infra, 'main.bicep', VAULT_ALIAS.source, 'lower-case');
    expect(checkInfra(vague, expected)).toEqual([expect.stringMatching(/the @description of additionalVault\.alias must state the app's alias rule/)]);
  });

  it('fails when additionalVaults is not a typed list defaulting to [], or azd would hand it empty text', () => {
    const untyped = mutate(infra, 'main.bicep', 'param additionalVaults additionalVault[] = []', 'param additionalVaults array = []');
    expect(checkInfra(untyped, expected)).toEqual([expect.stringMatching(/additionalVaults must be an array of a declared object type/)]);
    const required = mutate(infra, 'main.bicep', 'param additionalVaults additionalVault[] = []', 'param additionalVaults additionalVault[]');
    expect(checkInfra(required, expected)).toEqual(['main.bicep: param additionalVaults must default to [] (no existing vault)']);
    const noDefault = mutate(infra, 'main.parameters.json', '${AZURE_ADDITIONAL_VAULTS=[]}', '${AZURE_ADDITIONAL_VAULTS}');
    expect(checkInfra(noDefault, expected)).toEqual([
      expect.stringMatching(/main\.parameters\.json: additionalVaults is an array, so \$\{AZURE_ADDITIONAL_VAULTS\} needs a JSON array as its default/),
    ]);
  });

  it('is what azure.yaml asks azd for: a release that parses JSON arrays from environment variables', async () => {
    const azureYaml = await readFile(fileURLToPath(new URL('../../../../azure.yaml', import.meta.url)), 'utf8');
    expect(azureYaml).toMatch(/^requiredVersions:\n {2}azd: '>= 1\.23\.4'$/m);
  });
});
