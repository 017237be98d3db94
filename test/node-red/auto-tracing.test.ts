// ACCEPTANCE 3 on Node-RED 4.x (the repository's dev dependency, on this Node 20): automatic
// tracing through split/join, delay, link out/in, a subflow, a Function node returning a new
// message and a Catch node; see auto-tracing-scenario.ts.
import { startNodeRed } from '../support/node-red-runtime';
import { describeAutoTracing } from './auto-tracing-scenario';
import { builtPackageDir } from './support';

jest.setTimeout(60_000);

describeAutoTracing('Node-RED 4.x: automatic tracing, switched on in settings.js', (settings) => startNodeRed({ nodesDir: builtPackageDir(), settings }));
