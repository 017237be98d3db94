export { createAdminServer } from './admin-server';
export type { AdminServer, AdminServerOptions } from './admin-server';
