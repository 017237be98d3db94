// The expectation file of `threadline check` (schemas/check-expectation.schema.json), read through
// the connectors' one path for user-written files: YAML or JSON, ${VAR} references, schema
// validation with field paths and line numbers (a ConfigError lists every problem).
import { readValidatedFile } from '@threadline/connectors';

/** $id of schemas/check-expectation.schema.json. */
export const CHECK_EXPECTATION_SCHEMA_ID = 'https://threadline.dev/schemas/check-expectation.schema.json';

export interface ExpectedStep {
  name?: string;
  service?: string;
  span?: string;
  platform?: 'node-red' | 'n8n';
  flow?: string;
  node?: string;
}

export interface CheckExpectation {
  version?: 1;
  name?: string;
  request?: { method?: string; headers?: Record<string, string>; body?: string; expectStatus?: number };
  services?: string[];
  steps?: ExpectedStep[];
  complete?: boolean;
  minSpans?: number;
  maxDurationMs?: number;
}

/** Reads and validates an expectation file; throws ConfigError naming every wrong field. */
export function loadCheckExpectation(file: string, env: NodeJS.ProcessEnv = process.env): CheckExpectation {
  return readValidatedFile<CheckExpectation>(file, CHECK_EXPECTATION_SCHEMA_ID, { env, subject: 'check expectation' }).data;
}

/** How a report names an expected step: its name, else its fields. */
export function expectedStepText(step: ExpectedStep): string {
  if (step.name !== undefined) return step.name;
  const parts: string[] = [];
  if (step.platform !== undefined) parts.push(step.platform);
  if (step.flow !== undefined) parts.push(`flow "${step.flow}"`);
  if (step.node !== undefined) parts.push(`node "${step.node}"`);
  if (step.service !== undefined) parts.push(`service "${step.service}"`);
  if (step.span !== undefined) parts.push(`span "${step.span}"`);
  return parts.join(' › ');
}
