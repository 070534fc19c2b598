export * from './create-in-process-messaging-module.js';
export * from './in-memory-event-bus.js';
export * from './in-memory-prospect-index.js';
export * from './in-memory-prospect-repository.js';
export * from './in-memory-reference-data-loader.js';
export * from './recording-logger.js';
