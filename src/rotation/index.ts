import { getConfig } from '../platform/config.js';
import { getVaultClients } from '../platform/vault.js';
import { RotationEngine } from './engine.js';
import { getEventPublisher } from '../platform/events.js';
import { noTargetUpdate, webhookTargetUpdate } from './targetHook.js';

/** An engine that logs to the given invocation (the clients behind it are shared by the process). */
export function getRotationEngine(log: (line: string) => void): RotationEngine {
  const config = getConfig();
  return new RotationEngine({
    secrets: getVaultClients(config).secrets,
    events: getEventPublisher(),
    hook: config.ROTATION_WEBHOOK_URL ? webhookTargetUpdate(config.ROTATION_WEBHOOK_URL) : noTargetUpdate,
    concurrency: config.ROTATION_CONCURRENCY,
    log,
  });
}
