// The example flows under examples/ (Import › Examples): well-formed flows whose Threadline nodes
// all use a Threadline configuration of the same file.
import * as fs from 'node:fs';
import * as path from 'node:path';

const EXAMPLES = path.join(__dirname, '..', 'examples');
const files = fs.readdirSync(EXAMPLES).filter((name) => name.endsWith('.json'));
const NODE_TYPES_NEEDING_CONFIG = ['threadline-trace-in', 'threadline-span-start', 'threadline-span-end', 'threadline-inject', 'threadline-event'];

describe('example flows', () => {
  it('there are some', () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
  });

  it.each(files)('%s is a flow whose nodes are placed and configured', (file) => {
    const flow = JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8')) as Record<string, unknown>[];
    const ids = new Set(flow.map((node) => node.id));
    expect(ids.size).toBe(flow.length);
    const tabs = new Set(flow.filter((node) => node.type === 'tab').map((node) => node.id));
    const configs = new Set(flow.filter((node) => node.type === 'threadline-config').map((node) => node.id));
    expect(configs.size).toBe(1);
    for (const node of flow.filter((candidate) => candidate.z !== undefined)) {
      expect({ id: node.id, placed: typeof node.x === 'number' && typeof node.y === 'number' && tabs.has(node.z) }).toEqual({ id: node.id, placed: true });
      for (const target of ((node.wires ?? []) as string[][]).flat()) expect(ids.has(target)).toBe(true);
      if (NODE_TYPES_NEEDING_CONFIG.includes(String(node.type))) expect({ id: node.id, config: configs.has(node.config) }).toEqual({ id: node.id, config: true });
    }
  });
});
