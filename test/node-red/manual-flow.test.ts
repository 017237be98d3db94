// ACCEPTANCE 2 on Node-RED 4.x (the repository's dev dependency, on this Node 20): see
// manual-flow-scenario.ts. The package is the workspace build, found by Node-RED as a module.
import { startNodeRed } from '../support/node-red-runtime';
import { describeManualFlow } from './manual-flow-scenario';
import { builtPackageDir } from './support';

jest.setTimeout(60_000);

describeManualFlow('Node-RED 4.x: a flow with the trace nodes between two interceptor routes', () => startNodeRed({ nodesDir: builtPackageDir() }));
