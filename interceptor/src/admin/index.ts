export { createAdminServer } from './admin-server';
export type { AdminServer, AdminServerOptions } from './admin-server';
export { MIN_ADMIN_TOKEN_LENGTH, assertUsableAdminToken } from './bearer-token';
