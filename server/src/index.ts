/** buy-in-post-server as a library: build the endpoint into your own Node process. */
export { type App, type AppOptions, createApp } from './app.ts';
export { type Config, ConfigError, loadConfig } from './config.ts';
export type * from './protocol/index.ts';
export { type RunningServer, startServer } from './server.ts';
export { SIGNATURE_HEADER, signWebhook, verifyWebhook } from './services/outbox.ts';
