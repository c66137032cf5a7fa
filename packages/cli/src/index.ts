/** @weft/cli: the `weft` command line and the local launcher. */
export { createProgram } from './program.js';
export { ApiClient, ApiError, defaultServer, type JobDoc } from './api-client.js';
export { Launcher, startPlatform, platformChildren, migrate, waitForHealth } from './launcher.js';
