// How the engine's dry run becomes sections and rows: every value once, in span order, with
// kept / changed / removed / added.
import type { ExplainedChange, SpanExplanation } from '@threadline/connectors';
import { explainSections, rowStatus } from '../../src/cli/rules/explain-rows';

const entry = (part: ExplainedChange['part'], key: string, before: unknown, after: unknown, rule: string, index?: number): ExplainedChange => ({
  part,
  key,
  ...(index === undefined ? {} : { index }),
  before,
  after,
  changed: before !== after,
  rule,
});

const explanation: SpanExplanation = {
  rules: 'rules.yaml',
  entries: [
    entry('name', '(span.name)', 'GET /users/42', 'GET /users/{id}', 'url.pathIds'),
    entry('attribute', 'http.request.method', 'GET', 'GET', 'attributes.safe'),
    entry('attribute', 'user.email', 'a@example.com', undefined, 'attributes.block'),
    entry('event-name', '(event.name)', 'exception', 'exception', 'no rule matched', 0),
    entry('event-attribute', 'exception.message', 'boom a@example.com', 'boom REDACTED', 'detectors.email', 0),
    entry('event-name', '(event.name)', 'retry', 'retry', 'no rule matched', 1),
    entry('status-message', '(status.message)', 'failed', 'failed', 'no rule matched'),
    entry('resource-attribute', 'host.name', 'web-1', 'web-1', 'no rule matched'),
    entry('attribute', 'threadline.redaction.count', undefined, 3, 'redaction summary'),
  ],
  changes: [],
  after: {},
};

test('sections in span order; attributes the rules added join the attributes', () => {
  const sections = explainSections(explanation);
  expect(sections.map((section) => [section.title, section.eventName, section.rows.map((row) => `${row.status} ${row.key}`)])).toEqual([
    ['span name', undefined, ['changed (span.name)']],
    ['attributes', undefined, ['kept http.request.method', 'removed user.email', 'added threadline.redaction.count']],
    ['events[0]', 'exception', ['kept (event.name)', 'changed exception.message']],
    ['events[1]', 'retry', ['kept (event.name)']],
    ['status message', undefined, ['kept (status.message)']],
    ['resource', undefined, ['kept host.name']],
  ]);
});

test('row status from changed, before and after', () => {
  expect(rowStatus(entry('attribute', 'k', 'v', 'v', 'attributes.safe'))).toBe('kept');
  expect(rowStatus(entry('attribute', 'k', 'v', 'w', 'detectors.email'))).toBe('changed');
  expect(rowStatus(entry('attribute', 'k', 'v', undefined, 'attributes.block'))).toBe('removed');
  expect(rowStatus(entry('attribute', 'k', undefined, 'w', 'bodies.request[0]'))).toBe('added');
});
