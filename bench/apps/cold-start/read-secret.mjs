// Baseline (c) of bench/cold-start.ts: the least a Node process does to read one secret with the
// managed identity — import @azure/identity and @azure/keyvault-secrets, get a token, read.
// `--set` stores the secret first (used once, untimed, to seed the vault).
import { ManagedIdentityCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';

const [vaultUrl, name, mode] = process.argv.slice(2);
const client = new SecretClient(vaultUrl, new ManagedIdentityCredential(), { disableChallengeResourceVerification: true });
if (mode === '--set') await client.setSecret(name, 'x'.repeat(64));
const secret = await client.getSecret(name);
if (!secret.value) process.exit(1);
