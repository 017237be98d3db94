// The recipes for the n8n versions the platform suites run against, installed on demand into the
// platform cache (platform-cache.ts). Why each override and flag is there:
//   1.x: its dependency xlsx points at a tarball outside the registry (override to the registry's
//        0.18.5); isolated-vm does not build on Node 20 (--ignore-scripts, then rebuild only
//        sqlite3; n8n then runs with the legacy expression engine).
//   2.x: needs Node >= 24 (a registry Node binary); linkedom pinned because later n8n 2.41 patch
//        releases need packages the registry may lack; sqlite3 and isolated-vm built for Node 24.
import { ensureInstalled, ensureNodeBinary } from './platform-cache';
import * as path from 'node:path';

export interface N8nInstall {
  /** 1 or 2. */
  major: 1 | 2;
  version: string;
  /** The folder whose node_modules holds n8n. */
  dir: string;
  /** The node executable n8n runs on. */
  nodeBinary: string;
  /** n8n's command-line entry script (run as `nodeBinary bin ...`). */
  bin: string;
}

export const N8N_1_VERSION = '1.123.81';
export const N8N_2_VERSION = '2.41.1';
const N8N_2_NODE_MAJOR = 24;

export async function ensureN8n1(log?: (line: string) => void): Promise<N8nInstall> {
  const dir = await ensureInstalled(
    `n8n-${N8N_1_VERSION}`,
    { name: 'threadline-n8n-1', dependencies: { n8n: N8N_1_VERSION }, overrides: { xlsx: '0.18.5' } },
    { ignoreScripts: true, rebuild: ['sqlite3'], log },
  );
  return { major: 1, version: N8N_1_VERSION, dir, nodeBinary: process.execPath, bin: path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n') };
}

export async function ensureN8n2(log?: (line: string) => void): Promise<N8nInstall> {
  const nodeBinary = await ensureNodeBinary(N8N_2_NODE_MAJOR, { log });
  const dir = await ensureInstalled(
    `n8n-${N8N_2_VERSION}`,
    { name: 'threadline-n8n-2', dependencies: { n8n: N8N_2_VERSION }, overrides: { linkedom: '0.18.14' } },
    { nodeBinary, ignoreScripts: true, rebuild: ['sqlite3', 'isolated-vm'], log },
  );
  return { major: 2, version: N8N_2_VERSION, dir, nodeBinary, bin: path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n') };
}
