// Entry of the shared chunk (dist/shared.js): the connectors library, the message contract and
// the config-node registry, loaded once per process by every node file and by the plugin. The
// build points their imports of these modules here, so the registry is one map, not one per node
// file, and the connectors code ships once.
export * from '@threadline/connectors';
export * from './message-context';
export * from './threadline-registry';
