/** @weft/api: the REST api, Socket.IO gateway and CSV ingest. */
export { createApp, type AppOptions } from './app.js';
export { startApi, type ApiHandle, type StartOptions } from './server.js';
export type { ApiDeps } from './deps.js';
export { SchedulerClient } from './scheduler-client.js';
export { openApiDocument } from './openapi.js';
export { jobDoc, type JobDoc, type TaskDoc } from './job-doc.js';
export { ensureLocalOwner, credentialsPath, LOCAL_OWNER_EMAIL, LOCAL_WORKSPACE_ID, type LocalCredentials } from './auth/bootstrap.js';
export { signUp, createApiKey } from './auth/accounts.js';
