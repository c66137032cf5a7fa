/** @weft/api: the REST api, Socket.IO gateway and CSV ingest. */
export { createApp, type AppOptions } from './app.js';
export { startApi, type ApiHandle, type StartOptions } from './server.js';
export type { ApiDeps } from './deps.js';
export { SchedulerClient } from './scheduler-client.js';
export { openApiDocument } from './openapi.js';
export { jobDoc, type JobDoc, type TaskDoc } from './job-doc.js';
