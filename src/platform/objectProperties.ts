// The properties every vault object (secret, certificate, key) shares, in schema and mapping.
import * as z from 'zod';

export const commonPropertiesShape = {
  enabled: z.boolean(),
  tags: z.record(z.string(), z.string()),
  createdOn: z.string().optional(),
  updatedOn: z.string().optional(),
  notBefore: z.string().optional(),
  expiresOn: z.string().optional(),
  recoveryLevel: z.string().optional(),
};

interface SdkCommonProperties {
  enabled?: boolean;
  tags?: Record<string, string>;
  createdOn?: Date;
  updatedOn?: Date;
  notBefore?: Date;
  expiresOn?: Date;
  recoveryLevel?: string;
}

export const iso = (date: Date | undefined) => date?.toISOString();

export function toCommonProperties(properties: SdkCommonProperties) {
  return {
    enabled: properties.enabled ?? true,
    tags: properties.tags ?? {},
    createdOn: iso(properties.createdOn),
    updatedOn: iso(properties.updatedOn),
    notBefore: iso(properties.notBefore),
    expiresOn: iso(properties.expiresOn),
    recoveryLevel: properties.recoveryLevel,
  };
}
