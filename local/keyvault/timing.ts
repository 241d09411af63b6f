// The timing model: how long Key Vault takes to carry out its long-running steps. `realistic`
// (the default) makes the emulator answer, while a step is still running, what the service
// answers then; `instant` finishes every step at once (for tests that do not test timing).
// The durations and the service's observed behaviour, with sources, are in README.md "Timing".
import { z } from 'zod';

export interface TimingDurations {
  /** A certificate create (issuer Self) stays `inProgress` this long; a requested cancellation
   * takes as long to take effect. */
  certificateCreateMs: number;
  /** A soft delete: until then the deleted object cannot be read, recovered or purged, and the
   * name cannot be reused. */
  deleteMs: number;
  /** A recovery: until then the object cannot be read and the name cannot be reused. */
  recoverMs: number;
  /** A purge: until then the name cannot be reused. */
  purgeMs: number;
}

export type TimingPreset = 'realistic' | 'instant';

export const TIMING_PRESETS: Readonly<Record<TimingPreset, Readonly<TimingDurations>>> = {
  // Recordings of the service since 2022 show one "not yet" answer to a 2 s poller, then the
  // result: each step takes up to about 2 s (README.md "Timing").
  realistic: { certificateCreateMs: 2_000, deleteMs: 2_000, recoverMs: 2_000, purgeMs: 2_000 },
  instant: { certificateCreateMs: 0, deleteMs: 0, recoverMs: 0, purgeMs: 0 },
};

/** The value of a `--timing` option; throws a message naming the choices. */
export function parseTimingPreset(value: string): TimingPreset {
  if (value === 'realistic' || value === 'instant') return value;
  throw new Error(`--timing must be realistic or instant, got '${value}'`);
}

/** The emulator's run-time settings (GET/PUT /_emulator/settings). `timing` names the preset the
 * durations equal, or `custom`. */
export interface EmulatorSettings extends TimingDurations {
  timing: TimingPreset | 'custom';
}

/** Durations are capped at an hour: longer would only ever be a mistake. */
const duration = z.number().int().min(0).max(3_600_000);

export const settingsPatchSchema = z
  .object({
    timing: z.enum(['realistic', 'instant']).optional(),
    certificateCreateMs: duration.optional(),
    deleteMs: duration.optional(),
    recoverMs: duration.optional(),
    purgeMs: duration.optional(),
  })
  .strict();

export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

function presetOf(durations: TimingDurations): EmulatorSettings['timing'] {
  const names = Object.keys(TIMING_PRESETS) as TimingPreset[];
  const same = (preset: TimingPreset) => (Object.keys(durations) as (keyof TimingDurations)[]).every((k) => TIMING_PRESETS[preset][k] === durations[k]);
  return names.find(same) ?? 'custom';
}

/** `patch.timing` starts from that preset; the durations it names win over it. */
export function applySettingsPatch(current: TimingDurations, patch: SettingsPatch): EmulatorSettings {
  const { timing, ...durations } = patch;
  const next: TimingDurations = { ...(timing ? TIMING_PRESETS[timing] : pick(current)), ...definedDurations(durations) };
  return { timing: presetOf(next), ...next };
}

export function initialSettings(patch: SettingsPatch = {}): EmulatorSettings {
  return applySettingsPatch(TIMING_PRESETS.realistic, patch);
}

function pick(value: TimingDurations): TimingDurations {
  const { certificateCreateMs, deleteMs, recoverMs, purgeMs } = value;
  return { certificateCreateMs, deleteMs, recoverMs, purgeMs };
}

function definedDurations(value: Partial<TimingDurations>): Partial<TimingDurations> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}
