// Node-RED 5 for the platform suites: Node 22 (Node-RED 5 refuses Node 20) and node-red itself,
// installed on demand into the platform cache outside the repository and reused by later runs.
import * as path from 'node:path';
import { ensureInstalled, ensureNodeBinary } from './platform-cache';

export const NODE_RED_5_VERSION = '5.0.7';
export const NODE_RED_5_NODE_MAJOR = 22;

export interface NodeRedInstall {
  /** The install folder in the cache. */
  dir: string;
  /** The node binary to run it with. */
  nodeBinary: string;
  /** The node-red package folder (holds red.js): startNodeRed's nodeRedDir. */
  nodeRedDir: string;
}

export async function ensureNodeRed5(log?: (line: string) => void): Promise<NodeRedInstall> {
  const nodeBinary = await ensureNodeBinary(NODE_RED_5_NODE_MAJOR, { log });
  const dir = await ensureInstalled(
    `node-red-${NODE_RED_5_VERSION}`,
    { name: 'threadline-node-red-5', private: true, dependencies: { 'node-red': NODE_RED_5_VERSION } },
    { nodeBinary, log },
  );
  return { dir, nodeBinary, nodeRedDir: path.join(dir, 'node_modules', 'node-red') };
}
