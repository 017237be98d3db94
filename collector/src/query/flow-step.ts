// Which Node-RED flow / n8n workflow node a span ran in, read from the attribute names documented
// in docs/collector.md (span attributes first, resource attributes as a fallback).
import type { FlowPlatform, FlowStepRef } from '../api/contract';
import type { ReceivedAttributes } from '../otlp/decode';

interface PlatformAttributes {
  platform: FlowPlatform;
  flowId: string;
  flowName: string;
  nodeId: string;
  nodeName: string;
  nodeType: string;
}

export const FLOW_ATTRIBUTES: readonly PlatformAttributes[] = [
  { platform: 'node-red', flowId: 'node_red.flow.id', flowName: 'node_red.flow.name', nodeId: 'node_red.node.id', nodeName: 'node_red.node.name', nodeType: 'node_red.node.type' },
  { platform: 'n8n', flowId: 'n8n.workflow.id', flowName: 'n8n.workflow.name', nodeId: 'n8n.node.id', nodeName: 'n8n.node.name', nodeType: 'n8n.node.type' },
];

function text(attributes: ReceivedAttributes, resource: ReceivedAttributes, key: string): string | undefined {
  const own = Object.prototype.hasOwnProperty.call(attributes, key) ? attributes[key] : undefined;
  const value = own ?? (Object.prototype.hasOwnProperty.call(resource, key) ? resource[key] : undefined);
  if (value === undefined || value === null || typeof value === 'object') return undefined;
  const result = String(value);
  return result === '' ? undefined : result;
}

/** The flow step of a span, or undefined when it carries no flow and node attributes. */
export function flowStepOf(attributes: ReceivedAttributes, resource: ReceivedAttributes): FlowStepRef | undefined {
  for (const names of FLOW_ATTRIBUTES) {
    const flowId = text(attributes, resource, names.flowId);
    const flowName = text(attributes, resource, names.flowName) ?? flowId;
    const nodeId = text(attributes, resource, names.nodeId);
    const nodeType = text(attributes, resource, names.nodeType);
    const nodeName = text(attributes, resource, names.nodeName) ?? nodeType ?? nodeId;
    if (flowName === undefined || nodeName === undefined) continue;
    const step: FlowStepRef = { platform: names.platform, flowName, nodeName };
    if (flowId !== undefined) step.flowId = flowId;
    if (nodeId !== undefined) step.nodeId = nodeId;
    if (nodeType !== undefined) step.nodeType = nodeType;
    return step;
  }
  return undefined;
}

/** Identifies a flow across traces: platform and id, else name. */
export function flowKey(step: FlowStepRef): string {
  return `${step.platform}:${step.flowId ?? step.flowName}`;
}

/** Identifies a node within its flow: id, else name. */
export function nodeKey(step: FlowStepRef): string {
  return `${flowKey(step)}/${step.nodeId ?? step.nodeName}`;
}

/** `node-red flow "Orders" › node "enrich"` */
export function flowStepText(step: FlowStepRef): string {
  const flowWord = step.platform === 'n8n' ? 'workflow' : 'flow';
  return `${step.platform} ${flowWord} "${step.flowName}" › node "${step.nodeName}"`;
}
