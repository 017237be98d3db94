// The Threadline Collector credential, read once per execution and checked, with errors that name
// the credential field.
import type { IExecuteFunctions, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { BaggageRules } from './connectors';

export const CREDENTIAL_TYPE = 'threadlineCollectorApi';

export type OtlpProtocol = 'http/protobuf' | 'http/json';

export interface CollectorSettings {
  endpoint: string;
  protocol: OtlpProtocol;
  serviceName: string;
  samplingRatio: number;
  baggage: BaggageRules;
}

function globList(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

function field(credentials: Record<string, unknown>, name: string, fallback: string): string {
  const value = credentials[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : fallback;
}

/** Checked settings from raw credential data; a NodeOperationError names the field that is wrong. */
export function collectorSettingsFrom(node: INode, credentials: Record<string, unknown>): CollectorSettings {
  const wrong = (message: string): never => {
    throw new NodeOperationError(node, `Threadline Collector credential, ${message}`);
  };
  const endpoint = field(credentials, 'endpoint', '');
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return wrong(`OTLP Traces Endpoint: "${endpoint}" is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return wrong(`OTLP Traces Endpoint: "${endpoint}" must use http: or https:`);
  }
  const protocol = field(credentials, 'protocol', 'http/protobuf');
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    return wrong(`Protocol: "${protocol}" is not http/protobuf or http/json`);
  }
  const ratio = credentials.samplingRatio === undefined || credentials.samplingRatio === '' ? 1 : Number(credentials.samplingRatio);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    return wrong(`Sampling Ratio for New Traces: ${String(credentials.samplingRatio)} is not a number from 0 to 1`);
  }
  const forwardTo = field(credentials, 'baggageForwardTo', 'internal');
  if (forwardTo !== 'internal' && forwardTo !== 'external' && forwardTo !== 'any') {
    return wrong(`Forward Baggage To: "${forwardTo}" is not internal, external or any`);
  }
  const forwardKeys = globList(credentials.baggageForward ?? '*');
  const baggage: BaggageRules = {
    accept: globList(credentials.baggageAccept ?? '*'),
    internalHosts: globList(credentials.internalHosts),
    forward: forwardKeys.length === 0 ? [] : [{ keys: forwardKeys, to: forwardTo }],
    copyToSpans: globList(credentials.baggageCopyToSpans),
  };
  return { endpoint: url.href, protocol: protocol as OtlpProtocol, serviceName: field(credentials, 'serviceName', 'n8n'), samplingRatio: ratio, baggage };
}

/** The settings of the node's Threadline Collector credential, as a NodeOperationError when they are wrong. */
export async function readCollectorSettings(fn: IExecuteFunctions): Promise<CollectorSettings> {
  const credentials = await fn.getCredentials(CREDENTIAL_TYPE);
  return collectorSettingsFrom(fn.getNode(), credentials as Record<string, unknown>);
}
