export * from './console-logger.js';
export * from './format-log-line.js';
export * from './mask-secrets.js';
