// Name and version of this package, recorded as the instrumentation scope of every span. Kept as
// constants (a node may not read files); a unit test checks them against package.json.
export const PACKAGE_NAME = 'n8n-nodes-threadline';
export const PACKAGE_VERSION = '0.1.0';
