export * from './errors/index.js';
export * from './events/index.js';
export * from './model/index.js';
export * from './ports/index.js';
export * from './use-cases/index.js';
