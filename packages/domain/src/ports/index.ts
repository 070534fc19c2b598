export * from './event-publisher.js';
export * from './event-subscriber.js';
export * from './health-check.js';
export * from './logger.js';
export * from './prospect-repository.js';
export * from './prospect-save-handler.js';
export * from './reference-data-loader.js';
